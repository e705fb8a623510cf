// The site-loss restore as a plan: which steps, in which order, with which config changes, for
// a given source (the DR bucket, or its replica after a region loss) and state situation (the
// Pulumi state survived, or not). Pure: scripts/site-restore.ts runs it, the runbook
// (docs/runbook-site-loss.md) describes it step by step, the tests hold both to it.
import { RESTORED_SECRET_KEYS, drUserName, type RestoredSecretName } from "../../../config/dr";
import { CREDENTIAL_KEYS } from "../../harbor/values";

export type Source = "primary" | "replica";
export type StateSituation = "present" | "lost";

/** The DR keys of the stack's config as they are before the restore. */
export interface DrFacts {
  readonly bucketName: string;
  readonly region: string;
  readonly replicaBucketName?: string;
  readonly replicaRegion?: string;
}

export interface SiteRestoreInput {
  readonly source: Source;
  readonly state: StateSituation;
  readonly dr: DrFacts;
  /** barman-cloud server name the lost cluster archived under (its Cluster name, or the previous restore's archiveServerName). */
  readonly serverName: string;
  /** Point in time to recover to (RFC 3339 with a zone); the end of the archived WAL when unset. */
  readonly targetTime?: string;
  /** When the restore starts: names the new archive, so no two restores share one. */
  readonly now: Date;
}

export type StepId =
  | "check-copy"
  | "fence-old-site"
  | "read-harbor-secrets"
  | "switch-region"
  | "set-restore-switch"
  | "drop-aws-state"
  | "adopt-aws"
  | "refresh"
  | "up"
  | "verify"
  | "dns-and-trust";

export interface Step {
  readonly id: StepId;
  readonly title: string;
  /** Whether the script does it; otherwise it prints what the operator does. */
  readonly automated: boolean;
}

/** One `pulumi config set` (`value`) or `rm` (no value); `path` for keys inside an object. */
export interface ConfigChange {
  /** The step that applies it. */
  readonly step: "switch-region" | "set-restore-switch";
  readonly key: string;
  readonly value?: string;
  readonly path: boolean;
}

export interface SiteRestorePlan {
  readonly steps: readonly Step[];
  /** The copy the restore reads: bucket and region. */
  readonly copy: { readonly bucket: string; readonly region: string };
  /** Applied in this order before the update. */
  readonly config: readonly ConfigChange[];
  readonly archiveServerName: string;
  /**
   * The IAM user the script reads the copy as (the Velero backup, with a temporary access key):
   * the stack's restore user, the one principal besides the writers whose keys decrypt the copy
   * and the only one for the replica. The operator's credentials only list it.
   */
  readonly reader: string;
  /** The AWS part of the state is rebuilt by adoption (state lost, or the regions swapped roles). */
  readonly adoptAws: boolean;
  /**
   * Fencing also deletes the old access keys: when the AWS part of the state is rebuilt no state
   * knows them any more, and each takes one of the user's two key slots. Otherwise `up`
   * replaces them (the state still holds them).
   */
  readonly fenceDeletesKeys: boolean;
}

const STEP_TITLES: Record<StepId, string> = {
  "check-copy": "Check the copy: base backups, WAL and Velero backups are there",
  "fence-old-site": "Fence the old site: deactivate every access key of the stack's IAM users",
  "read-harbor-secrets":
    "Read Harbor's secretKey, admin password and the database owner password from the newest Velero backup",
  "switch-region":
    "Switch the DR direction: the replica region becomes the primary, no replica until the lost region is back",
  "set-restore-switch": "Set the restore switch: recover from the copy, archive under a new server name",
  "drop-aws-state": "Drop the AWS resources from the state: they are adopted again under their new roles",
  "adopt-aws":
    "Adopt the surviving AWS resources (buckets, KMS keys and aliases, IAM users): create the explicit AWS providers, then pulumi import",
  refresh: "pulumi refresh: drop what died with the old cluster from the state",
  up: "pulumi up: new cluster, refill of MinIO, database recovery, Harbor; access keys replaced",
  verify: "Verify: the refill Job completed, the database Cluster and Harbor's pods are Ready",
  "dns-and-trust": "Point DNS at the new site; distribute the new root CA when the state was lost",
};

const MANUAL: ReadonlySet<StepId> = new Set(["dns-and-trust"]);

/** `<base>-r<YYYYMMDDhhmm>`: a fresh barman server name (barman refuses to archive into a used one). */
export function archiveServerName(serverName: string, now: Date): string {
  const base = serverName.replace(/-r\d{12}$/, "");
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 12);
  return `${base}-r${stamp}`;
}

const key = (k: string) => `harbor-platform:${k}`;

export function siteRestorePlan(input: SiteRestoreInput): SiteRestorePlan {
  const { dr } = input;
  const regionLost = input.source === "replica";
  if (regionLost && (!dr.replicaBucketName || !dr.replicaRegion)) {
    throw new Error("source replica: the stack has no replica (dr.replicaRegion is unset)");
  }
  const copy = regionLost
    ? { bucket: dr.replicaBucketName as string, region: dr.replicaRegion as string }
    : { bucket: dr.bucketName, region: dr.region };
  const archive = archiveServerName(input.serverName, input.now);
  const lost = input.state === "lost";
  const adoptAws = lost || regionLost;

  const change = (step: ConfigChange["step"], k: string, value?: string, path = true): ConfigChange => ({
    step,
    key: k,
    ...(value === undefined ? {} : { value }),
    path,
  });
  const config: ConfigChange[] = [
    // The new site writes its copy into the surviving region; replication resumes once the lost
    // region is back and configured as the replica again.
    ...(regionLost
      ? [
          change("switch-region", "aws:region", copy.region, false),
          change("switch-region", key("dr.bucketName"), copy.bucket),
          change("switch-region", key("dr.replicaRegion")),
          change("switch-region", key("dr.replicaBucketName")),
        ]
      : []),
    change("set-restore-switch", key("restore.enabled"), "true"),
    change("set-restore-switch", key("restore.source.bucket"), copy.bucket),
    change("set-restore-switch", key("restore.source.region"), copy.region),
    change("set-restore-switch", key("restore.source.serverName"), input.serverName),
    change("set-restore-switch", key("restore.archiveServerName"), archive),
    change("set-restore-switch", key("restore.targetTime"), input.targetTime),
    change("set-restore-switch", key("restore.lostState"), lost ? "true" : undefined),
  ];

  const ids: StepId[] = [
    "check-copy",
    "fence-old-site",
    ...(lost ? (["read-harbor-secrets"] as const) : []),
    ...(regionLost ? (["switch-region"] as const) : []),
    "set-restore-switch",
    ...(regionLost && !lost ? (["drop-aws-state"] as const) : []),
    ...(adoptAws ? (["adopt-aws"] as const) : []),
    "refresh",
    "up",
    "verify",
    "dns-and-trust",
  ];
  return {
    steps: ids.map((id) => ({ id, title: STEP_TITLES[id], automated: !MANUAL.has(id) })),
    copy,
    config,
    archiveServerName: archive,
    // The users exist under the name they got before any switch of region.
    reader: drUserName(dr.bucketName, "restore"),
    adoptAws,
    fenceDeletesKeys: adoptAws,
  };
}

/** Every step in the order any plan runs them (the runbook's order). */
export const ALL_STEPS: readonly StepId[] = Object.keys(STEP_TITLES) as StepId[];

export function stepTitle(id: StepId): string {
  return STEP_TITLES[id];
}

/**
 * Where each restored secret lives in the Velero backup (Velero backs up the Secrets of
 * Harbor's and the database's namespaces) and the stack key it goes to.
 */
export interface RestoredSecretSource {
  readonly configKey: string;
  readonly namespace: string;
  readonly secret: string;
  readonly key: string;
}

export function restoredSecretSources(names: {
  readonly harborNamespace: string;
  readonly databaseNamespace: string;
  readonly clusterName: string;
}): Record<RestoredSecretName, RestoredSecretSource> {
  return {
    harborSecretKey: {
      configKey: RESTORED_SECRET_KEYS.harborSecretKey,
      namespace: names.harborNamespace,
      secret: "harbor-credentials",
      key: CREDENTIAL_KEYS.secretKey,
    },
    harborAdminPassword: {
      configKey: RESTORED_SECRET_KEYS.harborAdminPassword,
      namespace: names.harborNamespace,
      secret: "harbor-credentials",
      key: CREDENTIAL_KEYS.adminPassword,
    },
    databasePassword: {
      configKey: RESTORED_SECRET_KEYS.databasePassword,
      namespace: names.databaseNamespace,
      secret: `${names.clusterName}-owner`,
      key: "password",
    },
  };
}
