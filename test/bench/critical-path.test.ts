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
    propertyDependencies: {},
    wire: { inputs: {}, computed: {} },
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

describe("deploy critical path of the prod stack", () => {
  it("is the unavoidable chain: operators, their CRs, the database ready, Harbor, its configuration", async () => {
    const run = await evaluateStack("prod");
    const cp = criticalPath(run.resources, model);
    const slow = cp.chain.filter((c) => c.seconds > 0);
    const kinds = slow.map((c) => {
      const r = run.resources.find((x) => x.name === c.name && x.type === c.type);
      return c.type === "kubernetes:helm.sh/v3:Release"
        ? `chart:${String(r?.inputs.chart)}`
        : c.type.split(":").pop();
    });
    expect(kinds.slice(0, 6)).to.deep.equal([
      "Namespace",
      "chart:cert-manager",
      "chart:plugin-barman-cloud",
      "ObjectStore",
      "Cluster",
      "chart:harbor",
    ]);
    expect(slow.slice(6).every((c) => c.type.startsWith("pulumi-nodejs:dynamic/harbor:"))).to.equal(true);
    // Everything else (MinIO, Redis, monitoring, DR) runs beside that chain.
    expect(cp.seconds).to.be.lessThan(cp.serialSeconds / 2);
  });
});
