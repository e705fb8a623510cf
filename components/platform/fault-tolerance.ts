// Fault-tolerance report computed from what a stack registers (not hard-coded): for each
// stateful or serving component, how many node losses it survives, and why. The README table
// is regenerated from `faultToleranceTable`.
import { erasureGeometry } from "../../config/prod";

export interface RegisteredLike {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

export interface ToleranceRow {
  readonly component: string;
  readonly replicas: number;
  /** How the count is reached: spread, quorum, parity. */
  readonly basis: string;
  readonly pdb: boolean;
  readonly nodeLosses: number;
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const HOSTNAME = "kubernetes.io/hostname";

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const n = (v: unknown, fallback = 1): number => (typeof v === "number" ? v : Number(v ?? fallback));

function release(resources: readonly RegisteredLike[], chart: string): Obj | undefined {
  const r = resources.find((x) => x.type === RELEASE && x.inputs.chart === chart);
  return r ? o(r.inputs.values) : undefined;
}

/** Whether replicas are kept on different nodes (hard spread or required anti-affinity). */
function hardSpread(values: Obj): boolean {
  const spread = Array.isArray(values.topologySpreadConstraints) ? values.topologySpreadConstraints : [];
  return spread.some((c) => o(c).topologyKey === HOSTNAME && o(c).whenUnsatisfiable === "DoNotSchedule");
}

function replicated(component: string, values: Obj, replicaKey = "replicas"): ToleranceRow {
  const replicas = n(values[replicaKey]);
  const spread = hardSpread(values);
  const pdb = o(values.podDisruptionBudget).enabled === true && replicas > 1;
  return {
    component,
    replicas,
    basis: spread ? "replicas on distinct nodes" : "replicas may share a node",
    pdb,
    nodeLosses: spread ? replicas - 1 : 0,
  };
}

const HARBOR_COMPONENTS = ["core", "jobservice", "registry", "portal", "trivy", "exporter"] as const;

export function faultTolerance(resources: readonly RegisteredLike[]): ToleranceRow[] {
  const rows: ToleranceRow[] = [];
  const harbor = release(resources, "harbor");
  if (harbor) for (const c of HARBOR_COMPONENTS) rows.push(replicated(`Harbor ${c}`, o(harbor[c])));

  const cluster = resources.find((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster");
  if (cluster) {
    const spec = o(cluster.inputs.spec);
    const aff = o(spec.affinity);
    const required = aff.podAntiAffinityType === "required" && aff.topologyKey === HOSTNAME;
    const instances = n(spec.instances);
    rows.push({
      component: "PostgreSQL (CloudNativePG)",
      replicas: instances,
      basis: required
        ? "instances on distinct nodes; operator fails over to a standby"
        : "instances may share a node",
      pdb: spec.enablePDB !== false,
      nodeLosses: required ? instances - 1 : 0,
    });
  }

  const redis = release(resources, "redis-ha");
  if (redis) {
    const replicas = n(redis.replicas);
    const majority = Math.floor(replicas / 2) + 1;
    const quorum = Math.max(n(o(redis.sentinel).quorum), majority);
    const hard = redis.hardAntiAffinity !== false;
    rows.push({
      component: "Redis + Sentinel",
      replicas,
      basis: hard
        ? `failover needs ${quorum} of ${replicas} sentinels; pods on distinct nodes`
        : "pods may share a node",
      pdb: Object.keys(o(redis.podDisruptionBudget)).length > 0,
      nodeLosses: hard ? replicas - quorum : 0,
    });
  }

  const minio = release(resources, "minio");
  if (minio) {
    const nodes = n(minio.replicas);
    const drives = n(minio.drivesPerNode);
    const g = erasureGeometry(nodes, drives);
    const anti = JSON.stringify(o(minio.affinity)).includes(HOSTNAME);
    rows.push({
      component: "MinIO (erasure coded)",
      replicas: nodes,
      basis:
        typeof g === "string"
          ? g
          : `${nodes} nodes x ${drives} drives, sets of ${g.setSize} at EC:${g.parity}, write quorum ${g.writeQuorum}`,
      pdb: o(minio.podDisruptionBudget).enabled === true,
      nodeLosses: typeof g === "string" || !anti ? 0 : g.nodeLossTolerance,
    });
  }

  const cm = release(resources, "cert-manager");
  if (cm) {
    rows.push(replicated("cert-manager controller", cm, "replicaCount"));
    rows.push(replicated("cert-manager webhook", o(cm.webhook), "replicaCount"));
  }
  const cnpg = release(resources, "cloudnative-pg");
  if (cnpg) rows.push({ ...replicated("CloudNativePG operator", cnpg, "replicaCount"), pdb: false });
  const plugin = release(resources, "plugin-barman-cloud");
  // One stateless replica (its chart supports no more): a node loss pauses scheduled backups
  // until it is rescheduled; WAL archiving runs in each instance's sidecar and goes on.
  if (plugin)
    rows.push({
      component: "barman-cloud plugin (backup reconciler)",
      replicas: n(plugin.replicaCount),
      basis:
        "one stateless replica, rescheduled on another node; WAL archiving runs in the instances' sidecar",
      pdb: false,
      nodeLosses: 1,
    });
  return rows;
}

export function faultToleranceTable(rows: readonly ToleranceRow[]): string {
  const lines = [
    "| component | replicas | node losses survived | PDB | basis |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) => `| ${r.component} | ${r.replicas} | ${r.nodeLosses} | ${r.pdb ? "yes" : "no"} | ${r.basis} |`,
    ),
  ];
  return lines.join("\n");
}
