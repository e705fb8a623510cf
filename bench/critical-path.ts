// Models a first `pulumi up` from the registrations a stack makes: each resource starts when
// everything it depends on is done, so the deploy takes as long as the longest dependency
// chain (the engine runs everything else in parallel). Pure; tested in test/bench.
import type { Registered } from "../test/harness";

export interface DurationModel {
  readonly default: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byChart: Readonly<Record<string, number>>;
  /** Jobs by their pods' `app.kubernetes.io/name`, where one differs from the Job type's duration. */
  readonly byJob?: Readonly<Record<string, number>>;
  /**
   * By chart, then by resource type: a release of the chart cannot finish earlier than that
   * many seconds after a resource of the type that its inputs name is done, even without
   * waiting for it to start (its pods wait for it themselves, and Helm waits for the pods).
   */
  readonly settlesAfter?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface CriticalPath {
  /** Modeled seconds of a first `pulumi up` (the longest chain). */
  readonly seconds: number;
  /** Sum of every duration: a fully serial install, as step-by-step guides do it. */
  readonly serialSeconds: number;
  readonly chain: readonly { name: string; type: string; seconds: number }[];
}

export function durationOf(r: Registered, model: DurationModel): number {
  if (!r.custom) return 0;
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    return model.byChart[String(r.inputs.chart)] ?? model.default;
  }
  const job = r.type === "kubernetes:batch/v1:Job" ? podName(r, "spec.template.metadata.labels") : undefined;
  if (job !== undefined && model.byJob?.[job] !== undefined) return model.byJob[job];
  return model.byType[r.type] ?? model.default;
}

/** What a release's pods wait for by themselves (see DurationModel.settlesAfter), with the delay. */
function settlesAfter(
  r: Registered,
  resources: readonly Registered[],
  model: DurationModel,
): { urn: string; seconds: number }[] {
  if (r.type !== "kubernetes:helm.sh/v3:Release") return [];
  const after = model.settlesAfter?.[String(r.inputs.chart)] ?? {};
  return resources
    .filter((d) => d.type in after && d.urn !== r.urn)
    .filter((d) => {
      const name = metadata(d).name;
      return name !== undefined && mentions(r.inputs, name);
    })
    .map((d) => ({ urn: d.urn, seconds: after[d.type] }));
}

export function criticalPath(resources: readonly Registered[], model: DurationModel): CriticalPath {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const finish = new Map<string, { at: number; via?: string }>();
  const visit = (urn: string, seen: Set<string>): number => {
    const done = finish.get(urn);
    if (done) return done.at;
    const r = byUrn.get(urn);
    if (!r || seen.has(urn)) return 0;
    seen.add(urn);
    let start = 0;
    let via: string | undefined;
    for (const dep of r.dependencies) {
      const at = visit(dep, seen);
      if (at > start) [start, via] = [at, dep];
    }
    let at = start + durationOf(r, model);
    for (const s of settlesAfter(r, resources, model)) {
      const ready = visit(s.urn, seen) + s.seconds;
      if (ready > at) [at, via] = [ready, s.urn];
    }
    finish.set(urn, { at, via });
    return at;
  };
  let end = 0;
  let last: string | undefined;
  for (const r of resources) {
    const at = visit(r.urn, new Set());
    if (at > end) [end, last] = [at, r.urn];
  }
  const chain: CriticalPath["chain"][number][] = [];
  for (let urn = last; urn; urn = finish.get(urn)?.via) {
    const r = byUrn.get(urn)!;
    chain.unshift({ name: r.name, type: r.type, seconds: durationOf(r, model) });
  }
  const serialSeconds = resources.reduce((sum, r) => sum + durationOf(r, model), 0);
  return { seconds: end, serialSeconds, chain };
}

function metadata(r: Registered): { name?: string; namespace?: string } {
  const m = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
  return {
    name: m?.name ?? (r.inputs.name as string | undefined),
    namespace: m?.namespace ?? (r.inputs.namespace as string | undefined),
  };
}

/**
 * Charts that need another chart running first, as their upstream install guides order them:
 * the barman-cloud plugin issues its certificates through cert-manager and plugs into the
 * CloudNativePG operator.
 */
const CHART_NEEDS: Readonly<Record<string, readonly string[]>> = {
  "plugin-barman-cloud": ["cert-manager", "cloudnative-pg"],
};

/** CRD groups each chart installs: a CR of such a group needs that Release first. */
const CRD_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "cert-manager": ["cert-manager.io", "acme.cert-manager.io"],
  "cloudnative-pg": ["postgresql.cnpg.io"],
  "plugin-barman-cloud": ["barmancloud.cnpg.io"],
  velero: ["velero.io"],
};

/**
 * Why R may wait for D although no output of D flows into R. Returns undefined when no
 * reason applies: R waits on something it does not use, and a real `pulumi up` serialises
 * for nothing.
 */
export function waitReason(r: Registered, d: Registered): string | undefined {
  if (r.inputDependencies.includes(d.urn)) return "uses its outputs";
  const upgrade = upgradeWaitReason(r, d);
  if (upgrade) return upgrade;
  const dm = metadata(d);
  const rm = metadata(r);
  if (d.type === "kubernetes:core/v1:Namespace" && dm.name && rm.namespace === dm.name) return "lives in it";
  if (
    d.type === "kubernetes:core/v1:ResourceQuota" &&
    r.type === "kubernetes:helm.sh/v3:Release" &&
    rm.namespace === dm.namespace
  ) {
    return "its volumes count against the quota";
  }
  if (d.type === "kubernetes:helm.sh/v3:Release") {
    const group = r.type.split(":")[1]?.split("/")[0] ?? "";
    if ((CRD_GROUPS[String(d.inputs.chart)] ?? []).includes(group)) return "the release installs its CRD";
    if (d.inputs.chart === "harbor" && r.type.startsWith("pulumi-nodejs:dynamic"))
      return "configures that Harbor";
    const needs = CHART_NEEDS[String(r.inputs.chart)] ?? [];
    if (r.type === "kubernetes:helm.sh/v3:Release" && needs.includes(String(d.inputs.chart))) {
      return "its chart needs that chart running";
    }
    if (
      d.inputs.chart === "plugin-barman-cloud" &&
      JSON.stringify(r.inputs).includes("barman-cloud.cloudnative-pg.io")
    ) {
      return "uses the plugin that release runs";
    }
  }
  if (dm.name && mentions(r.inputs, dm.name)) return `refers to "${dm.name}" by name`;
  if (isRefillJob(d) && readsRefilledStore(r)) return "reads the buckets the DR refill puts back";
  const s3 = S3_ORDER[`${r.type} <- ${d.type}`];
  if (s3 && sameBucket(r, d)) return s3;
  return undefined;
}

const podName = (r: Registered, path: string) =>
  (at(r.inputs, path) as Record<string, string> | undefined)?.["app.kubernetes.io/name"];

/** The orders of a guarded Harbor upgrade (components/harbor/upgrade.ts). */
function upgradeWaitReason(r: Registered, d: Registered): string | undefined {
  if (d.type === "pulumi-nodejs:dynamic/upgrade:HarborUpgradeGate")
    return "the upgrade gate refuses a jump outside Harbor's upgrade path first";
  const harbor = r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "harbor";
  const preUpgradeBackup =
    d.type === "kubernetes:postgresql.cnpg.io/v1:Backup" ||
    (d.type === "kubernetes:batch/v1:Job" &&
      podName(d, "spec.template.metadata.labels") === "harbor-db-dump");
  if (harbor && preUpgradeBackup) return "Harbor migrates its schema only after the backup of the old one";
  const smokeTest =
    r.type === "kubernetes:batch/v1:Job" &&
    podName(r, "spec.template.metadata.labels") === "harbor-smoke-test";
  if (
    smokeTest &&
    ((d.type === "kubernetes:helm.sh/v3:Release" && d.inputs.chart === "harbor") ||
      d.type.startsWith("pulumi-nodejs:dynamic/harbor:"))
  )
    return "smoke-tests that Harbor as configured";
  return undefined;
}

/** Orders S3 itself imposes between the configurations of one bucket. */
const S3_ORDER: Readonly<Record<string, string>> = {
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig <- aws:s3/bucketVersioning:BucketVersioning":
    "S3 refuses replication unless source and destination are versioned",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration <- aws:s3/bucketVersioning:BucketVersioning":
    "noncurrent-version rules act only once versioning is on",
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration <- aws:s3/bucketVersioning:BucketVersioning":
    "S3 turns Object Lock on for an existing bucket only once versioning is on",
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig <- aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
    "locked versions replicate only into a bucket that has Object Lock",
  "aws:s3/bucketPolicy:BucketPolicy <- aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
    "the policy lands on a bucket already closed to the public (concurrent bucket config calls conflict)",
};

/** Both configure (or reference) the same registered bucket. */
function sameBucket(r: Registered, d: Registered): boolean {
  return d.inputDependencies.some(
    (u) => u.includes("aws:s3/bucket:Bucket::") && r.inputDependencies.includes(u),
  );
}

/** The restore mode's Job that copies the DR copy back into MinIO (components/dr). */
function isRefillJob(r: Registered): boolean {
  return r.type === "kubernetes:batch/v1:Job" && at(r.inputs, "spec.template.metadata.labels") !== undefined
    ? (at(r.inputs, "spec.template.metadata.labels") as Record<string, string>)["app.kubernetes.io/name"] ===
        "dr-refill"
    : false;
}

/**
 * What must not start on a half-refilled MinIO: the CNPG Cluster recovering from the archive,
 * Harbor serving blobs from it, and the mirror (a sync of a half-refilled bucket deletes from
 * the DR copy).
 */
function readsRefilledStore(r: Registered): boolean {
  if (r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")
    return at(r.inputs, "spec.bootstrap.recovery") !== undefined;
  if (r.type === "kubernetes:helm.sh/v3:Release") return r.inputs.chart === "harbor";
  if (r.type === "kubernetes:batch/v1:CronJob") {
    return (
      (
        at(r.inputs, "spec.jobTemplate.spec.template.metadata.labels") as Record<string, string> | undefined
      )?.["app.kubernetes.io/name"] === "dr-mirror"
    );
  }
  return false;
}

function at(o: unknown, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      o,
    );
}

/** Whether a name starts a word in the inputs: a value, a Secret ref, a service derived from it (`<name>-rw`). */
function mentions(inputs: Record<string, unknown>, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9-])${escaped}([^a-z0-9]|$)`).test(JSON.stringify(inputs));
}

export function needlessWaits(resources: readonly Registered[]): string[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: string[] = [];
  for (const r of resources) {
    for (const urn of r.dependencies) {
      const d = byUrn.get(urn);
      if (d && !waitReason(r, d))
        out.push(`${r.type} ${r.name} waits on ${d.type} ${d.name} without using it`);
    }
  }
  return out;
}
