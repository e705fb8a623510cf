// Zone spread of the data tier as the prod stack registers it with `zones` declared, checked
// against the pinned upstream: the CloudNativePG Cluster CRD (cloudnative-pg-crds, operator
// 1.30.0, whose spec embeds Kubernetes' own TopologySpreadConstraint schema), redis-ha 4.39.0's
// and MinIO 5.4.0's values.yaml. What the charts do with the values was read in their
// templates at the pinned tags: redis-ha-4.39.0 charts/redis-ha/templates/redis-ha-statefulset.yaml
// renders `topologySpreadConstraints.{maxSkew, topologyKey, whenUnsatisfiable}` with the
// chart's own pod selector (and nothing else: no minDomains); minio helm/minio/templates/
// statefulset.yaml passes the list through (toYaml) when replicas > 1. CloudNativePG labels its
// instance pods `cnpg.io/podRole: instance` (pkg/utils/labels_annotations.go).
import { readFileSync } from "fs";
import { join } from "path";
import { expect } from "chai";
import { at, evaluateStack, stackConfig, type Registered, type StackRun } from "./harness";
import { faultTolerance, faultToleranceTable } from "../components/platform/fault-tolerance";
import { erasureGeometry, zoneLossTolerance, type ErasureGeometry } from "../config/prod";
import { conformanceProblems } from "./conformance/check";
import { crdErrors } from "./dr/upstream";
import { REPO_ROOT } from "./upstream";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const ZONE = "topology.kubernetes.io/zone";
const OBJECT_STORE = stackConfig("prod").objectStore as Record<string, unknown>;
/** Three zones and the smallest MinIO that keeps writing through a zone loss with 2 drives a node. */
const ZONED = { zones: 3, objectStore: { ...OBJECT_STORE, nodes: 6 } };

const values = (run: StackRun, chart: string) =>
  (run.byType(RELEASE).find((r) => r.inputs.chart === chart) as Registered).inputs.values as Record<
    string,
    unknown
  >;
const DATA_ROWS = ["PostgreSQL (CloudNativePG)", "Redis + Sentinel", "MinIO (erasure coded)"];

async function message(overrides: Record<string, unknown>): Promise<string> {
  try {
    await evaluateStack("prod", overrides);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the prod stack to stop");
}

describe("zone spread of the data tier (prod)", () => {
  let flat: StackRun;
  let zoned: StackRun;
  before(async () => {
    flat = await evaluateStack("prod");
    zoned = await evaluateStack("prod", ZONED);
  });

  it("without zones declared, nothing is held to zones and the table has no zone column", () => {
    expect(at(flat.one(CLUSTER).inputs, "spec.topologySpreadConstraints")).to.equal(undefined);
    expect(values(flat, "redis-ha").topologySpreadConstraints).to.equal(undefined);
    expect(values(flat, "minio").topologySpreadConstraints).to.equal(undefined);
    const rows = faultTolerance(flat.resources);
    expect(rows.every((r) => r.zoneLosses === undefined)).to.equal(true);
    expect(faultToleranceTable(rows).split("\n")[0]).to.not.include("zone");
  });

  it("spreads the CloudNativePG instances strictly over the declared zones (valid against the pinned CRD)", () => {
    const cluster = zoned.one(CLUSTER);
    const spec = cluster.inputs.spec as Record<string, unknown>;
    expect(spec.topologySpreadConstraints).to.deep.equal([
      {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: "DoNotSchedule",
        minDomains: 3,
        labelSelector: {
          matchLabels: {
            "cnpg.io/cluster": at(cluster.inputs, "metadata.name"),
            "cnpg.io/podRole": "instance",
          },
        },
      },
    ]);
    // Node spread stays as it was.
    expect(spec.affinity).to.deep.equal(at(flat.one(CLUSTER).inputs, "spec.affinity"));
    expect(crdErrors("cloudnative-pg-crds", "postgresql.cnpg.io_clusters.yaml", spec)).to.deep.equal([]);
  });

  it("spreads redis-ha and MinIO pods strictly over the zones with values their charts have", () => {
    expect(values(zoned, "redis-ha").topologySpreadConstraints).to.deep.equal({
      enabled: true,
      maxSkew: 1,
      topologyKey: ZONE,
      whenUnsatisfiable: "DoNotSchedule",
    });
    expect(values(zoned, "redis-ha").hardAntiAffinity).to.equal(true);
    const minio = values(zoned, "minio");
    expect(minio.topologySpreadConstraints).to.deep.equal([
      {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: "DoNotSchedule",
        minDomains: 3,
        labelSelector: { matchLabels: { app: "minio", release: "minio" } },
      },
    ]);
    // Each item is a Kubernetes TopologySpreadConstraint: the CNPG CRD embeds that schema.
    const errors = crdErrors("cloudnative-pg-crds", "postgresql.cnpg.io_clusters.yaml", {
      instances: 3,
      topologySpreadConstraints: minio.topologySpreadConstraints,
    });
    expect(errors).to.deep.equal([]);
    // Every value path exists in the pinned values.yaml (and passes schemas where charts have one).
    expect(conformanceProblems(zoned.resources)).to.deep.equal([]);
  });

  it("the conformance check refuses a constraint field Kubernetes does not have", () => {
    expect(
      crdErrors("cloudnative-pg-crds", "postgresql.cnpg.io_clusters.yaml", {
        instances: 3,
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", minZones: 3 },
        ],
      }),
    ).to.have.length.greaterThan(0);
  });

  it("the fault-tolerance table: every data component survives the loss of a zone, computed from the registrations", () => {
    const rows = faultTolerance(zoned.resources);
    const byName = new Map(rows.map((r) => [r.component, r]));
    for (const c of DATA_ROWS) {
      const r = byName.get(c);
      expect(r?.zoneLosses, `${c}: ${r?.basis}`).to.be.at.least(1);
      expect(r?.nodeLosses, c).to.be.at.least(1);
    }
    // 3 instances over 3 zones: one zone holds one; a standby survives even two zone losses.
    expect(byName.get("PostgreSQL (CloudNativePG)")?.zoneLosses).to.equal(2);
    // 3 sentinels over 3 zones: one zone's loss leaves the 2 a failover needs, two do not.
    expect(byName.get("Redis + Sentinel")?.zoneLosses).to.equal(1);
    expect(faultToleranceTable(rows)).to.include("| MinIO (erasure coded) | 6 | 2 | 1 | yes |");
  });

  it("docs/prod-topology.md shows exactly the tables computed for prod, without and with zones", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "prod-topology.md"), "utf8");
    for (const run of [flat, zoned])
      expect(doc).to.include(faultToleranceTable(faultTolerance(run.resources)));
  });

  it("MinIO over zones: write quorum after the worst zone's loss", () => {
    const g = (n: number, d: number) => erasureGeometry(n, d) as ErasureGeometry;
    // 4 x 2 over 3 zones: one zone holds 2 nodes, 4 of the set's 8 drives; 4 < write quorum 5.
    expect(zoneLossTolerance(g(4, 2), 4, 3).zoneLosses).to.equal(0);
    expect(zoneLossTolerance(g(6, 2), 6, 3).zoneLosses).to.equal(1);
    expect(zoneLossTolerance(g(3, 4), 3, 3).zoneLosses).to.equal(1);
    // 8 x 2 over 3 zones: a zone may hold 3 nodes, 6 of 16 drives; 10 < write quorum 12.
    expect(zoneLossTolerance(g(8, 2), 8, 3).zoneLosses).to.equal(0);
    expect(zoneLossTolerance(g(4, 2), 4, 4).zoneLosses).to.equal(1);
  });

  describe("config", () => {
    it("refuses two zones: one of them always holds a majority of the sentinels", async () => {
      expect(await message({ zones: 2 })).to.equal(
        // The CLI hands every scalar over as text.
        'harbor-platform:zones = "2": 1 (no zone spread) or 3 to 16: with 2 zones one of them holds a majority of the sentinels and loses failover with it',
      );
    });

    it("refuses a MinIO layout whose write quorum a zone's loss would break, naming one that holds", async () => {
      expect(await message({ zones: 3 })).to.equal(
        "harbor-platform:objectStore.nodes = 4: with drivesPerNode 2 over 3 zones: a zone holds up to 2 nodes, 4 of a set's 8 drives, and the 4 left are below write quorum 5; use 5 nodes",
      );
    });

    it("refuses zones in dev", async () => {
      try {
        await evaluateStack("dev", { zones: 3 });
        expect.fail("dev accepted zones");
      } catch (err) {
        expect((err as Error).message).to.match(/^harbor-platform:zones = "3": only used by topology prod/);
      }
    });
  });
});
