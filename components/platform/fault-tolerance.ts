// Fault-tolerance report computed from what a stack registers (not hard-coded): for each
// stateful or serving component, how many node losses (and, when the stack spreads over zones,
// zone losses) it survives, and why. The README table is regenerated from `faultToleranceTable`.
import { erasureGeometry, zoneLossTolerance } from "../../config/prod";

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
  /** Whole zones it may lose; absent when the stack spreads nothing over zones. */
  readonly zoneLosses?: number;
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const HOSTNAME = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

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

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(o) : []);

/** The zones a hard zone constraint holds pods to (its minDomains), or 1 when none does. */
function hardZones(constraints: unknown): number {
  const c = list(constraints).find((x) => x.topologyKey === ZONE && x.whenUnsatisfiable === "DoNotSchedule");
  return c ? n(c.minDomains) : 1;
}

/** Whether pods are only preferred (ScheduleAnyway) to spread over zones. */
function softZones(constraints: unknown): boolean {
  return list(constraints).some((x) => x.topologyKey === ZONE && x.whenUnsatisfiable === "ScheduleAnyway");
}

/**
 * Whole zones that `count` pods spread hard over `zones` (at most ceil(count / zones) in one)
 * may lose while `needed` of them remain.
 */
function zoneLosses(count: number, zones: number, needed: number): number {
  if (zones < 2) return 0;
  const perZone = Math.ceil(count / zones);
  let k = 0;
  while (k < zones - 1 && count - (k + 1) * perZone >= needed) k++;
  return k;
}

function replicated(component: string, values: Obj, replicaKey = "replicas"): ToleranceRow {
  const replicas = n(values[replicaKey]);
  const spread = hardSpread(values);
  const pdb = o(values.podDisruptionBudget).enabled === true && replicas > 1;
  return {
    component,
    replicas,
    basis:
      (spread ? "replicas on distinct nodes" : "replicas may share a node") +
      (softZones(values.topologySpreadConstraints) ? "; zones preferred, not held" : ""),
    pdb,
    nodeLosses: spread ? replicas - 1 : 0,
    zoneLosses: zoneLosses(replicas, hardZones(values.topologySpreadConstraints), 1),
  };
}

/** The zone count the stack declares: the largest minDomains of its hard zone constraints. */
function stackZones(resources: readonly RegisteredLike[]): number {
  return Math.max(
    1,
    ...resources.map((r) =>
      Math.max(
        hardZones(o(r.inputs.spec).topologySpreadConstraints),
        hardZones(o(r.inputs.values).topologySpreadConstraints),
      ),
    ),
  );
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
    const zones = hardZones(spec.topologySpreadConstraints);
    rows.push({
      component: "PostgreSQL (CloudNativePG)",
      replicas: instances,
      basis:
        (required ? "instances on distinct nodes" : "instances may share a node") +
        (zones > 1 ? ` and over ${zones} zones` : "") +
        "; the operator fails over to a standby",
      pdb: spec.enablePDB !== false,
      nodeLosses: required ? instances - 1 : 0,
      zoneLosses: zoneLosses(instances, zones, 1),
    });
  }

  const redis = release(resources, "redis-ha");
  if (redis) {
    const replicas = n(redis.replicas);
    const majority = Math.floor(replicas / 2) + 1;
    const quorum = Math.max(n(o(redis.sentinel).quorum), majority);
    const hard = redis.hardAntiAffinity !== false;
    // The chart's one constraint has no minDomains: it holds the stack's declared zone count
    // only while the cluster has those zones.
    const tsc = o(redis.topologySpreadConstraints);
    const zones =
      tsc.enabled === true && tsc.topologyKey === ZONE && tsc.whenUnsatisfiable === "DoNotSchedule"
        ? stackZones(resources)
        : 1;
    rows.push({
      component: "Redis + Sentinel",
      replicas,
      basis: hard
        ? `failover needs ${quorum} of ${replicas} sentinels; pods on distinct nodes` +
          (zones > 1 ? ` and over ${zones} zones` : "")
        : "pods may share a node",
      pdb: Object.keys(o(redis.podDisruptionBudget)).length > 0,
      nodeLosses: hard ? replicas - quorum : 0,
      zoneLosses: zoneLosses(replicas, zones, quorum),
    });
  }

  const minio = release(resources, "minio");
  if (minio) {
    const nodes = n(minio.replicas);
    const drives = n(minio.drivesPerNode);
    const g = erasureGeometry(nodes, drives);
    const anti = JSON.stringify(o(minio.affinity)).includes(HOSTNAME);
    const zones = hardZones(minio.topologySpreadConstraints);
    rows.push({
      component: "MinIO (erasure coded)",
      replicas: nodes,
      basis:
        typeof g === "string"
          ? g
          : `${nodes} nodes x ${drives} drives, sets of ${g.setSize} at EC:${g.parity}, write quorum ${g.writeQuorum}` +
            (zones > 1 ? `; over ${zones} zones: ${zoneLossTolerance(g, nodes, zones).basis}` : ""),
      pdb: o(minio.podDisruptionBudget).enabled === true,
      nodeLosses: typeof g === "string" || !anti ? 0 : g.nodeLossTolerance,
      zoneLosses: typeof g === "string" ? 0 : zoneLossTolerance(g, nodes, zones).zoneLosses,
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
      zoneLosses: 1,
    });
  // Zone losses mean something only on a stack that spreads over zones.
  return stackZones(resources) > 1 ? rows : rows.map(({ zoneLosses: _, ...r }) => r);
}

export function faultToleranceTable(rows: readonly ToleranceRow[]): string {
  const zones = rows.some((r) => r.zoneLosses !== undefined);
  const lines = [
    `| component | replicas | node losses survived |${zones ? " zone losses survived |" : ""} PDB | basis |`,
    `| --- | --- | --- |${zones ? " --- |" : ""} --- | --- |`,
    ...rows.map(
      (r) =>
        `| ${r.component} | ${r.replicas} | ${r.nodeLosses} |${zones ? ` ${r.zoneLosses ?? 0} |` : ""} ${r.pdb ? "yes" : "no"} | ${r.basis} |`,
    ),
  ];
  return lines.join("\n");
}
