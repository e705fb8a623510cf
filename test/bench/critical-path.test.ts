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

  it("a release that no longer waits for the database still finishes no earlier than the database plus its settle time", () => {
    const rs = [
      reg("db", "kubernetes:postgresql.cnpg.io/v1:Cluster", [], { inputs: { metadata: { name: "pg" } } }),
      reg("slow", "kubernetes:core/v1:Secret"),
      reg("harbor", "kubernetes:helm.sh/v3:Release", ["slow"], {
        inputs: { chart: "harbor", values: { database: { host: "pg-rw.db.svc" } } },
      }),
    ];
    const after = model.settlesAfter.harbor["kubernetes:postgresql.cnpg.io/v1:Cluster"];
    const slowDb = {
      ...model,
      byType: { ...model.byType, "kubernetes:postgresql.cnpg.io/v1:Cluster": 1000 },
    };
    const cp = criticalPath(rs, slowDb);
    expect(cp.seconds).to.equal(1000 + after);
    expect(cp.chain.map((c) => c.name)).to.deep.equal(["db", "harbor"]);
    // A database done early leaves Harbor's own time on the path.
    expect(criticalPath(rs, model).seconds).to.equal(1 + 300);
  });

  it("says where every modeled duration comes from", () => {
    const keys = [
      "default",
      ...Object.keys(model.byType),
      ...Object.keys(model.byChart).map((c) => `chart:${c}`),
      ...Object.keys(model.byJob).map((j) => `job:${j}`),
      ...Object.entries(model.settlesAfter).flatMap(([chart, by]) =>
        Object.keys(by).map((t) => `settlesAfter:${chart}<-${t}`),
      ),
    ];
    const sources = model.sources as Record<string, string>;
    expect(
      keys.filter((k) => !sources[k]),
      "durations without a source",
    ).to.deep.equal([]);
    expect(
      Object.keys(sources).filter((k) => !keys.includes(k)),
      "sources of no duration",
    ).to.deep.equal([]);
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
  it("is the unavoidable chain: cert-manager, MinIO's certificate, MinIO, Harbor, its configuration, its smoke test; the database (and the first pre-upgrade backup) run beside it", async () => {
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
      "ClusterIssuer",
      "Certificate",
      "chart:minio",
      "chart:harbor",
    ]);
    // Harbor starts without waiting for the database Cluster to be Ready.
    const harbor = run.resources.find(
      (r) => r.name === "harbor" && r.type === "kubernetes:helm.sh/v3:Release",
    );
    const cluster = run.byType("kubernetes:postgresql.cnpg.io/v1:Cluster")[0];
    expect(harbor?.dependencies).not.to.include(cluster.urn);
    // Then Harbor's configuration, and the smoke test of that Harbor.
    const tail = slow.slice(6);
    expect(tail.slice(0, -1).every((c) => c.type.startsWith("pulumi-nodejs:dynamic/harbor:"))).to.equal(true);
    expect(tail[tail.length - 1]).to.include({
      type: "kubernetes:batch/v1:Job",
      name: "harbor-platform-smoke-test",
    });
    // Everything else (MinIO, Redis, monitoring, DR) runs beside that chain.
    expect(cp.seconds).to.be.lessThan(cp.serialSeconds / 2);
  });
});
