import { expect } from "chai";
import model from "../../bench/durations.json";
import { criticalPath, needlessWaits } from "../../bench/critical-path";
import { evaluateStack, type Registered } from "../harness";

function reg(name: string, type: string, deps: string[] = [], extra: Partial<Registered> = {}): Registered {
  return {
    type,
    name,
    urn: `urn:${name}`,
    custom: true,
    inputs: {},
    secretPaths: [],
    dependencies: deps.map((d) => `urn:${d}`),
    inputDependencies: [],
    protect: false,
    ...extra,
  };
}

describe("deploy critical path model", () => {
  it("takes the longest chain, not the sum, and names it", () => {
    const rs = [
      reg("ns", "kubernetes:core/v1:Namespace"),
      reg("pw", "random:index/randomPassword:RandomPassword"),
      reg("secret", "kubernetes:core/v1:Secret", ["ns", "pw"]),
      reg("harbor", "kubernetes:helm.sh/v3:Release", ["secret"], { inputs: { chart: "harbor" } }),
      reg("other", "kubernetes:core/v1:Secret", ["ns"]),
    ];
    const cp = criticalPath(rs, model);
    expect(cp.chain.map((c) => c.name)).to.deep.equal(["ns", "secret", "harbor"]);
    expect(cp.seconds).to.equal(1 + 1 + 300);
    expect(cp.serialSeconds).to.equal(1 + 0.2 + 1 + 300 + 1);
  });

  it("flags a wait on something the resource does not use", () => {
    const a = reg("a", "kubernetes:core/v1:Secret", [], {
      inputs: { metadata: { name: "a", namespace: "x" } },
    });
    const b = reg("b", "kubernetes:core/v1:ConfigMap", ["a"], {
      inputs: { metadata: { name: "b", namespace: "x" } },
    });
    expect(needlessWaits([a, b])).to.deep.equal([
      "kubernetes:core/v1:ConfigMap b waits on kubernetes:core/v1:Secret a without using it",
    ]);
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: no resource waits on something it does not use`, async () => {
      const run = await evaluateStack(stack);
      expect(needlessWaits(run.resources)).to.deep.equal([]);
    });
  }
});
