// The disaster-recovery config (prod only) shaped from the schema's typed values
// (config/schema/dr.ts): the DR bucket in AWS, the MinIO -> S3 mirror, Velero's schedule and
// the restore switch. Each field's own rule is in the schema; the rules here span fields.
import { goDurationSeconds } from "../policy/concepts/duration";
import { awsPartition } from "./schema/aws";
import {
  RESTORED_SECRET_KEYS,
  drBucketNameProblem,
  type BackupValue,
  type DrValue,
  type RestoreValue,
} from "./schema/dr";
import { ConfigError } from "./validate";

export {
  DR_USERS,
  HARBOR_SECRET_KEY_LENGTH,
  RESTORED_SECRET_KEYS,
  drKmsAlias,
  drUserName,
  type DrUser,
} from "./schema/dr";

export interface DrBucketConfig {
  /** AWS region of the DR bucket: the `aws:region` of the stack. */
  readonly region: string;
  readonly bucketName: string;
  /** A second region holding a replica of the DR bucket; unset means no replication. */
  readonly replicaRegion?: string;
  readonly replicaBucketName?: string;
  /** Days a replaced or deleted object version is kept before S3 expires it. */
  readonly noncurrentVersionDays: number;
  /** Days after which S3 aborts a multipart upload that never completed. */
  readonly abortIncompleteUploadDays: number;
  /** Default Object Lock retention of every new object version, in both buckets. */
  readonly objectLock: ObjectLockConfig;
}

export interface ObjectLockConfig {
  /** GOVERNANCE: only a principal with s3:BypassGovernanceRetention may shorten it; COMPLIANCE: nobody, ever. */
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  readonly days: number;
}

/**
 * Lets one mirror run delete up to `count` objects from one bucket's DR copy, once, before
 * `until` (RFC 3339 UTC). The run records it as used in the DR bucket, so it is never applied twice.
 */
export type DeleteApproval = NonNullable<DrValue["approveDeletes"]>;

export interface MirrorConfig {
  /** Kubernetes CronJob schedule (5 fields or @hourly/@daily...), evaluated in UTC. */
  readonly schedule: string;
  /** Longest gap between two scheduled runs, in minutes: the mirror's share of the RPO. */
  readonly intervalMinutes: number;
  /** The promised RPO; the schedule must fit inside it. */
  readonly rpoMinutes: number;
  /**
   * Deletes one run may make in one bucket's DR copy, whatever its size. A run that would
   * delete more deletes nothing there (the whole bucket is held) until an operator approves.
   */
  readonly maxDelete: number;
  /** The same bound as a percentage of the objects in that bucket's DR copy. */
  readonly maxDeletePercent: number;
  /** Deletes up to this many pass even above maxDeletePercent (small buckets); never above maxDelete. */
  readonly alwaysAllowDeletes: number;
  /** A one-shot approval of a held bucket's deletes; absent normally. */
  readonly approveDeletes?: DeleteApproval;
}

/** The scheduled restore drills (components/dr/drill.ts). */
export interface DrillConfig {
  /** CronJob schedule of both drills (UTC). */
  readonly schedule: string;
  /** Longest gap between two drills, in minutes: a drill older than this plus its run time alerts. */
  readonly intervalMinutes: number;
  /** Registry blobs each blob drill compares with their DR copy. */
  readonly blobSample: number;
}

export interface BackupConfig {
  /** Velero Schedule: 5-field cron or `@every 6h`. */
  readonly schedule: string;
  /** Velero TTL of each backup (Go duration). */
  readonly ttl: string;
}

/** The copy a restore reads: the DR bucket, or its replica after a region loss, and the lost cluster's barman server name. */
export type RestoreSource = NonNullable<RestoreValue["source"]>;

export type RestoreConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly source: RestoreSource;
      /** Point in time to recover to (RFC 3339 with a zone); latest WAL when unset. */
      readonly targetTime?: string;
      /** Server name the restored cluster archives under: never the source's (barman refuses a used archive). */
      readonly archiveServerName: string;
      /**
       * The refill reads the DR copy as it was at this time (RFC 3339 UTC, S3 object versions),
       * so the deletes of a bad mirror run can be undone; the current copy when unset.
       */
      readonly mirrorVersionAt?: string;
      /**
       * The Pulumi state was lost: the secrets the restored data depends on come from the secret
       * config keys of RESTORED_SECRET_KEYS (read from the Velero backup) instead of being generated.
       */
      readonly lostState?: true;
    };

export type RestoredSecretName = keyof typeof RESTORED_SECRET_KEYS;
export type RestoredSecretKey = (typeof RESTORED_SECRET_KEYS)[RestoredSecretName];

export interface DrConfig {
  readonly bucket: DrBucketConfig;
  readonly mirror: MirrorConfig;
  readonly backup: BackupConfig;
  readonly restore: RestoreConfig;
  readonly drill: DrillConfig;
}

/** The typed values of the DR keys (config/schema/dr.ts) and `aws:region`. */
export interface DrValues {
  readonly region: string;
  readonly dr: DrValue;
  readonly backup: BackupValue;
  readonly restore: RestoreValue;
}

/**
 * The RESTORED_SECRET_KEYS the config needs (all of them with `restore.lostState`, none
 * otherwise), checked against the keys the stack sets.
 */
export function restoredSecretKeys(
  restore: RestoreConfig,
  isSet: (key: RestoredSecretKey) => boolean,
): RestoredSecretKey[] {
  const keys = Object.values(RESTORED_SECRET_KEYS);
  const lost = restore.enabled && restore.lostState === true;
  for (const key of keys) {
    if (!lost && isSet(key))
      throw new ConfigError(
        key,
        "",
        "only with restore.lostState: true (a restore without its Pulumi state)",
        {
          secret: true,
        },
      );
    if (lost && !isSet(key))
      throw new ConfigError(
        key,
        undefined,
        `required by restore.lostState: pulumi config set --secret ${key} <value from the Velero backup> (scripts/site-restore.ts sets it)`,
      );
  }
  return lost ? keys : [];
}

const minutes = (schedule: { readonly maxGapSeconds: number }): number => schedule.maxGapSeconds / 60;

function hours(m: number): string {
  return m % 60 === 0 ? `${m / 60}h` : `${m}m`;
}

function bucketConfig(region: string, d: DrValue): DrBucketConfig {
  if (d.replicaRegion === undefined) {
    if (d.replicaBucketName !== undefined)
      throw new ConfigError(
        "dr.replicaBucketName",
        d.replicaBucketName,
        "only together with dr.replicaRegion",
      );
  } else if (d.replicaRegion === region) {
    throw new ConfigError(
      "dr.replicaRegion",
      d.replicaRegion,
      `a region other than aws:region (${region}): the replica must survive the loss of the primary region`,
    );
  } else if (awsPartition(d.replicaRegion) !== awsPartition(region)) {
    throw new ConfigError(
      "dr.replicaRegion",
      d.replicaRegion,
      `a region of aws:region's partition (${awsPartition(region)}): S3 replicates only within a partition`,
    );
  }
  let replicaBucketName = d.replicaBucketName;
  if (d.replicaRegion !== undefined && replicaBucketName === undefined) {
    replicaBucketName = `${d.bucketName}-replica`;
    const problem = drBucketNameProblem(replicaBucketName, false);
    if (problem !== undefined)
      throw new ConfigError(
        "dr.replicaBucketName",
        undefined,
        `required here: the default ${replicaBucketName} is refused (${problem})`,
      );
  }
  if (replicaBucketName === d.bucketName)
    throw new ConfigError("dr.replicaBucketName", replicaBucketName, "a name other than dr.bucketName");
  // A version's retention runs from its creation and its noncurrent expiry from a later moment:
  // within this bound the lock has always ended when the lifecycle comes to expire the version.
  const days = d.objectLock.days ?? d.noncurrentVersionDays;
  if (days > d.noncurrentVersionDays)
    throw new ConfigError(
      "dr.objectLock.days",
      days,
      `at most dr.noncurrentVersionDays (${d.noncurrentVersionDays}): S3 lifecycle cannot expire a version while it is locked`,
    );
  return {
    region,
    bucketName: d.bucketName,
    ...(d.replicaRegion !== undefined ? { replicaRegion: d.replicaRegion, replicaBucketName } : {}),
    noncurrentVersionDays: d.noncurrentVersionDays,
    abortIncompleteUploadDays: d.abortIncompleteUploadDays,
    objectLock: { mode: d.objectLock.mode === "governance" ? "GOVERNANCE" : "COMPLIANCE", days },
  };
}

function mirrorConfig(d: DrValue): MirrorConfig {
  const gap = minutes(d.mirrorSchedule);
  if (gap > d.rpoMinutes)
    throw new ConfigError(
      "dr.mirrorSchedule",
      d.mirrorSchedule.text,
      `a schedule whose longest gap (${hours(gap)}) fits in dr.rpoMinutes (${d.rpoMinutes})`,
    );
  if (d.alwaysAllowDeletes > d.maxDelete)
    throw new ConfigError(
      "dr.alwaysAllowDeletes",
      d.alwaysAllowDeletes,
      `at most dr.maxDelete (${d.maxDelete}): no run deletes more than that`,
    );
  return {
    schedule: d.mirrorSchedule.text,
    intervalMinutes: gap,
    rpoMinutes: d.rpoMinutes,
    maxDelete: d.maxDelete,
    maxDeletePercent: d.maxDeletePercent,
    alwaysAllowDeletes: d.alwaysAllowDeletes,
    ...(d.approveDeletes ? { approveDeletes: d.approveDeletes } : {}),
  };
}

function backupConfig(b: BackupValue): BackupConfig {
  const gap = minutes(b.schedule);
  const ttlMinutes = (goDurationSeconds(b.ttl) ?? 0) / 60;
  // Two schedule gaps: one failed backup still leaves an unexpired one behind.
  if (ttlMinutes < 2 * gap)
    throw new ConfigError(
      "backup.ttl",
      b.ttl,
      `at least twice the longest gap of backup.schedule (${hours(2 * gap)}), so one backup always survives`,
    );
  return { schedule: b.schedule.text, ttl: b.ttl };
}

function restoreConfig(r: RestoreValue, bucket: DrBucketConfig): RestoreConfig {
  if (!r.enabled) return { enabled: false };
  const source = r.source;
  if (source === undefined)
    throw new ConfigError(
      "restore.source",
      undefined,
      "required when restore.enabled is true: {bucket, region, serverName} of the DR copy to restore from",
    );
  const owned = [
    { name: bucket.bucketName, region: bucket.region },
    ...(bucket.replicaBucketName && bucket.replicaRegion
      ? [{ name: bucket.replicaBucketName, region: bucket.replicaRegion }]
      : []),
  ];
  const copy = owned.find((b) => b.name === source.bucket);
  if (copy === undefined)
    throw new ConfigError(
      "restore.source.bucket",
      source.bucket,
      `one of the DR buckets this stack owns: ${owned.map((b) => b.name).join(", ")}`,
    );
  if (copy.region !== source.region)
    throw new ConfigError(
      "restore.source.region",
      source.region,
      `${copy.region}, the region of ${copy.name} (the restore reads the bucket there)`,
    );
  const archiveServerName = r.archiveServerName ?? `${source.serverName}-restored`;
  if (archiveServerName === source.serverName)
    throw new ConfigError(
      "restore.archiveServerName",
      archiveServerName,
      `a name other than restore.source.serverName (${source.serverName}): barman refuses to archive into a used WAL archive`,
    );
  return {
    enabled: true,
    source,
    archiveServerName,
    ...(r.targetTime !== undefined ? { targetTime: r.targetTime } : {}),
    ...(r.mirrorVersionAt !== undefined ? { mirrorVersionAt: r.mirrorVersionAt } : {}),
    ...(r.lostState ? { lostState: true as const } : {}),
  };
}

/** The DR config from the typed values, or one ConfigError for a rule across fields. */
export function drConfig(v: DrValues): DrConfig {
  const bucket = bucketConfig(v.region, v.dr);
  const mirror = mirrorConfig(v.dr);
  const backup = backupConfig(v.backup);
  return {
    bucket,
    drill: {
      schedule: v.dr.drillSchedule.text,
      intervalMinutes: minutes(v.dr.drillSchedule),
      blobSample: v.dr.drillBlobSample,
    },
    mirror,
    backup,
    restore: restoreConfig(v.restore, bucket),
  };
}
