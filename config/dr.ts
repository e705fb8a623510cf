// Stack config of the disaster-recovery parts (prod only): the DR bucket in AWS, the MinIO ->
// S3 mirror, Velero's schedule and the restore switch. Pure: the caller passes `aws:region`.
import { ConfigError, bool, cron, duration, int, obj, optStr, requireValue, str, type Raw } from "./validate";
import type { Topology } from "./index";

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

/** The IAM users of the DR bucket, one per job, so each key can be revoked alone. */
export const DR_USERS = ["mirror", "velero", "restore"] as const;
export type DrUser = (typeof DR_USERS)[number];

export function drUserName(bucket: string, user: DrUser): string {
  return `${bucket}-${user}`;
}

/** IAM's limit on user names. */
const IAM_USER_NAME_MAX = 64;

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

/**
 * Lets one mirror run delete up to `count` objects from one bucket's DR copy, once, before
 * `until`. The run records it as used in the DR bucket, so it is never applied twice.
 */
export interface DeleteApproval {
  /** The MinIO bucket whose sync was held. */
  readonly bucket: string;
  readonly count: number;
  /** RFC 3339 UTC (`Z`): the approval lapses unused after it. */
  readonly until: string;
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

export interface RestoreSource {
  /** Bucket that holds the copy: the DR bucket, or its replica after a region loss. */
  readonly bucket: string;
  readonly region: string;
  /** barman-cloud server name the lost cluster archived under (usually its Cluster name). */
  readonly serverName: string;
}

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

/**
 * Secret config keys a lost-state restore sets (scripts/site-restore.ts reads them from the
 * newest Velero backup): what the restored database was written with. Harbor's `secretKey`
 * decrypts the credentials Harbor stored in it; the admin password is the one in its user
 * table (HARBOR_ADMIN_PASSWORD only seeds an empty database); the owner password is the one
 * the restored `harbor` role has.
 */
export const RESTORED_SECRET_KEYS = {
  harborSecretKey: "restoredHarborSecretKey",
  harborAdminPassword: "restoredHarborAdminPassword",
  databasePassword: "restoredDatabasePassword",
} as const;

export type RestoredSecretName = keyof typeof RESTORED_SECRET_KEYS;

/** Harbor accepts only a 16-character secretKey (its AES key). */
export const HARBOR_SECRET_KEY_LENGTH = 16;

/**
 * The RESTORED_SECRET_KEYS the config needs (all of them with `restore.lostState`, none
 * otherwise), checked against what the stack sets. `raw` holds the decrypted secret values.
 */
export function restoredSecretKeys(restore: RestoreConfig, raw: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.values(RESTORED_SECRET_KEYS);
  const lost = restore.enabled && restore.lostState === true;
  for (const key of keys) {
    if (!lost && raw[key] !== undefined) {
      throw new ConfigError(
        key,
        "[secret]",
        "only with restore.lostState: true (a restore without its Pulumi state)",
      );
    }
    if (lost && (typeof raw[key] !== "string" || raw[key] === "")) {
      throw new ConfigError(
        key,
        undefined,
        `required by restore.lostState: pulumi config set --secret ${key} <value from the Velero backup> (scripts/site-restore.ts sets it)`,
      );
    }
  }
  const secretKey = raw[RESTORED_SECRET_KEYS.harborSecretKey];
  if (lost && typeof secretKey === "string" && secretKey.length !== HARBOR_SECRET_KEY_LENGTH) {
    throw new ConfigError(
      RESTORED_SECRET_KEYS.harborSecretKey,
      "[secret]",
      `exactly ${HARBOR_SECRET_KEY_LENGTH} characters: Harbor's secretKey from the Secret harbor-credentials`,
    );
  }
  return lost ? keys : [];
}

export interface DrConfig {
  readonly bucket: DrBucketConfig;
  readonly mirror: MirrorConfig;
  readonly backup: BackupConfig;
  readonly restore: RestoreConfig;
  readonly drill: DrillConfig;
}

/** Stack keys this module owns (the lead adds them to KNOWN_KEYS). */
export const DR_KEYS = ["dr", "backup", "restore"] as const;

const DR_FIELDS = [
  "bucketName",
  "replicaRegion",
  "replicaBucketName",
  "noncurrentVersionDays",
  "abortIncompleteUploadDays",
  "mirrorSchedule",
  "rpoMinutes",
  "maxDelete",
  "maxDeletePercent",
  "alwaysAllowDeletes",
  "approveDeletes",
  "objectLock",
  "drillSchedule",
  "drillBlobSample",
] as const;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
// S3 general purpose bucket names: 3-63, lower case, digits, dots and hyphens; no IP look-alikes.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function awsRegion(key: string, value: Raw): string {
  if (typeof value !== "string" || !REGION.test(value)) {
    throw new ConfigError(key, value, "an AWS region like eu-central-1");
  }
  return value;
}

/**
 * A DR bucket: an S3 name without dots, because its KMS alias is `alias/<name>` (letters, digits,
 * `/`, `_` and `-` only) and a dotted name breaks TLS for virtual-hosted-style requests.
 */
function drBucketName(key: string, value: Raw): string {
  const name = bucketName(key, value);
  if (name.includes(".")) {
    throw new ConfigError(
      key,
      value,
      "an S3 bucket name without dots: its KMS alias cannot contain them and TLS to <bucket>.s3.amazonaws.com fails with them",
    );
  }
  return name;
}

export function bucketName(key: string, value: Raw): string {
  if (
    typeof value !== "string" ||
    !BUCKET.test(value) ||
    value.includes("..") ||
    /^\d+\.\d+\.\d+\.\d+$/.test(value) ||
    value.startsWith("xn--")
  ) {
    throw new ConfigError(key, value, "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'");
  }
  return value;
}

// --- schedules --------------------------------------------------------------------------

/** A schedule and its longest gap in minutes (the policy/concepts/cron.ts measure). */
function schedule(key: string, value: Raw, dialect: "kubernetes" | "velero"): { text: string; gap: number } {
  const parsed = cron(key, value, dialect);
  return { text: parsed.text, gap: parsed.maxGapSeconds / 60 };
}

function hours(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

// --- sections ---------------------------------------------------------------------------

/**
 * `dr.objectLock`: governance by default (COMPLIANCE cannot be undone, not even by the account
 * root), retention by default as long as the lifecycle keeps a noncurrent version.
 */
function parseObjectLock(raw: Raw, noncurrentVersionDays: number): ObjectLockConfig {
  const o = raw === undefined ? {} : obj("dr.objectLock", raw, ["mode", "days"]);
  const mode = o.mode === undefined ? "governance" : o.mode;
  if (mode !== "governance" && mode !== "compliance") {
    throw new ConfigError(
      "dr.objectLock.mode",
      o.mode,
      "governance (default; an admin with s3:BypassGovernanceRetention can still remove a version) or compliance (irreversible: nobody can, until the retention ends)",
    );
  }
  // A version's retention runs from its creation and its noncurrent expiry from a later moment:
  // within this bound the lock has always ended when the lifecycle comes to expire the version.
  const days = int("dr.objectLock.days", o.days, noncurrentVersionDays, 1);
  if (days > noncurrentVersionDays) {
    throw new ConfigError(
      "dr.objectLock.days",
      o.days,
      `at most dr.noncurrentVersionDays (${noncurrentVersionDays}): S3 lifecycle cannot expire a version while it is locked`,
    );
  }
  return { mode: mode === "governance" ? "GOVERNANCE" : "COMPLIANCE", days };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * A UTC time as rclone and the mirror script read it. rclone takes a time without a zone as
 * local time (docs: "Time or duration options"), so only the `Z` form is accepted.
 */
export function utcTime(key: string, value: Raw): string {
  if (typeof value !== "string" || !RFC3339_UTC.test(value) || isNaN(Date.parse(value))) {
    throw new ConfigError(key, value, "an RFC 3339 time in UTC with a Z, like 2026-03-01T10:30:00Z");
  }
  return value;
}

function parseApproval(raw: Raw): DeleteApproval | undefined {
  if (raw === undefined) return undefined;
  const o = obj("dr.approveDeletes", raw, ["bucket", "count", "until"]);
  const count = requireValue(
    "dr.approveDeletes.count",
    o.count,
    "the most objects the approved run may delete",
  );
  const until = requireValue(
    "dr.approveDeletes.until",
    o.until,
    "when the approval lapses, like 2026-03-01T18:00:00Z",
  );
  return {
    bucket: str("dr.approveDeletes.bucket", o.bucket, "the MinIO bucket whose sync was held"),
    count: int("dr.approveDeletes.count", count, 0, 1),
    until: utcTime("dr.approveDeletes.until", until),
  };
}

function parseRestore(raw: Raw, bucket: DrBucketConfig): RestoreConfig {
  if (raw === undefined) return { enabled: false };
  const o = obj("restore", raw, [
    "enabled",
    "source",
    "targetTime",
    "archiveServerName",
    "mirrorVersionAt",
    "lostState",
  ]);
  const enabled = bool("restore.enabled", o.enabled, false);
  if (!enabled) return { enabled: false };
  if (o.source === undefined) {
    throw new ConfigError(
      "restore.source",
      o.source,
      "required when restore.enabled is true: {bucket, region, serverName} of the DR copy to restore from",
    );
  }
  const s = obj("restore.source", o.source, ["bucket", "region", "serverName"]);
  const source: RestoreSource = {
    bucket: bucketName("restore.source.bucket", s.bucket),
    region: awsRegion("restore.source.region", s.region),
    serverName: str("restore.source.serverName", s.serverName, "the barman server name of the lost cluster"),
  };
  const known = [bucket.bucketName, bucket.replicaBucketName].filter((b) => b !== undefined);
  if (!known.includes(source.bucket)) {
    throw new ConfigError(
      "restore.source.bucket",
      s.bucket,
      `one of the DR buckets this stack owns: ${known.join(", ")}`,
    );
  }
  let targetTime: string | undefined;
  if (o.targetTime !== undefined) {
    if (typeof o.targetTime !== "string" || !RFC3339.test(o.targetTime) || isNaN(Date.parse(o.targetTime))) {
      throw new ConfigError(
        "restore.targetTime",
        o.targetTime,
        "an RFC 3339 time with a zone, like 2026-03-01T10:30:00Z",
      );
    }
    targetTime = o.targetTime;
  }
  const archiveServerName = optStr(
    "restore.archiveServerName",
    o.archiveServerName,
    `${source.serverName}-restored`,
  );
  if (archiveServerName === source.serverName) {
    throw new ConfigError(
      "restore.archiveServerName",
      o.archiveServerName,
      `a name other than restore.source.serverName (${source.serverName}): barman refuses to archive into a used WAL archive`,
    );
  }
  const mirrorVersionAt =
    o.mirrorVersionAt === undefined ? undefined : utcTime("restore.mirrorVersionAt", o.mirrorVersionAt);
  const lostState = bool("restore.lostState", o.lostState, false);
  return {
    enabled: true,
    source,
    archiveServerName,
    ...(targetTime ? { targetTime } : {}),
    ...(mirrorVersionAt ? { mirrorVersionAt } : {}),
    ...(lostState ? { lostState: true as const } : {}),
  };
}

/**
 * Parses the DR keys of the stack (`dr`, `backup`, `restore`) for a topology. Dev has no DR
 * (the keys are refused); prod requires `dr` and `aws:region`.
 */
export function parseDr(
  raw: Readonly<Record<string, unknown>>,
  topology: Topology,
  awsRegionValue: string | undefined,
): DrConfig | undefined {
  if (topology === "dev") {
    for (const key of DR_KEYS) {
      if (raw[key] !== undefined) {
        throw new ConfigError(key, raw[key], "only for topology prod: dev has no disaster recovery");
      }
    }
    return undefined;
  }
  if (awsRegionValue === undefined || awsRegionValue === "") {
    throw new ConfigError(
      "aws:region",
      awsRegionValue,
      "required for topology prod: the AWS region of the DR bucket, like eu-central-1",
    );
  }
  const region = awsRegion("aws:region", awsRegionValue);
  if (raw.dr === undefined) {
    throw new ConfigError(
      "dr",
      raw.dr,
      "required for topology prod: {bucketName, mirrorSchedule, ...} of the DR copy in AWS",
    );
  }
  const d = obj("dr", raw.dr, DR_FIELDS);
  const name = drBucketName("dr.bucketName", d.bucketName);
  const longest = Math.max(...DR_USERS.map((u) => drUserName(name, u).length));
  if (longest > IAM_USER_NAME_MAX) {
    throw new ConfigError(
      "dr.bucketName",
      d.bucketName,
      `at most ${name.length - (longest - IAM_USER_NAME_MAX)} characters: the IAM users are named <bucketName>-${DR_USERS.join("|")} and IAM allows ${IAM_USER_NAME_MAX}`,
    );
  }
  let replicaRegion: string | undefined;
  if (d.replicaRegion !== undefined) {
    replicaRegion = awsRegion("dr.replicaRegion", d.replicaRegion);
    if (replicaRegion === region) {
      throw new ConfigError(
        "dr.replicaRegion",
        d.replicaRegion,
        `a region other than aws:region (${region}): the replica must survive the loss of the primary region`,
      );
    }
  } else if (d.replicaBucketName !== undefined) {
    throw new ConfigError("dr.replicaBucketName", d.replicaBucketName, "only together with dr.replicaRegion");
  }
  const replicaBucketName = replicaRegion
    ? drBucketName("dr.replicaBucketName", d.replicaBucketName ?? `${name}-replica`)
    : undefined;
  if (replicaBucketName === name) {
    throw new ConfigError("dr.replicaBucketName", d.replicaBucketName, "a name other than dr.bucketName");
  }
  const noncurrentVersionDays = int("dr.noncurrentVersionDays", d.noncurrentVersionDays, 30, 1, 3650);
  const bucket: DrBucketConfig = {
    region,
    bucketName: name,
    ...(replicaRegion ? { replicaRegion, replicaBucketName } : {}),
    noncurrentVersionDays,
    abortIncompleteUploadDays: int("dr.abortIncompleteUploadDays", d.abortIncompleteUploadDays, 7, 1, 365),
    objectLock: parseObjectLock(d.objectLock, noncurrentVersionDays),
  };

  const mirror = schedule("dr.mirrorSchedule", d.mirrorSchedule ?? "*/15 * * * *", "kubernetes");
  const rpoMinutes = int("dr.rpoMinutes", d.rpoMinutes, 60, 1, 7 * 24 * 60);
  if (mirror.gap > rpoMinutes) {
    throw new ConfigError(
      "dr.mirrorSchedule",
      d.mirrorSchedule,
      `a schedule whose longest gap (${hours(mirror.gap)}) fits in dr.rpoMinutes (${rpoMinutes})`,
    );
  }

  const b = raw.backup === undefined ? {} : obj("backup", raw.backup, ["schedule", "ttl"]);
  const backupSchedule = schedule("backup.schedule", b.schedule ?? "0 */6 * * *", "velero");
  const ttl = duration("backup.ttl", b.ttl, "720h");
  // Two schedule gaps: one failed backup still leaves an unexpired one behind.
  if (ttl.seconds / 60 < 2 * backupSchedule.gap) {
    throw new ConfigError(
      "backup.ttl",
      b.ttl ?? ttl.text,
      `at least twice the longest gap of backup.schedule (${hours(2 * backupSchedule.gap)}), so one backup always survives`,
    );
  }

  const maxDelete = int("dr.maxDelete", d.maxDelete, 1000, 1);
  const alwaysAllowDeletes = int("dr.alwaysAllowDeletes", d.alwaysAllowDeletes, 50, 0);
  if (alwaysAllowDeletes > maxDelete) {
    throw new ConfigError(
      "dr.alwaysAllowDeletes",
      d.alwaysAllowDeletes,
      `at most dr.maxDelete (${maxDelete}): no run deletes more than that`,
    );
  }
  const approveDeletes = parseApproval(d.approveDeletes);
  const drill = schedule("dr.drillSchedule", d.drillSchedule ?? "30 4 * * *", "kubernetes");

  return {
    bucket,
    drill: {
      schedule: drill.text,
      intervalMinutes: drill.gap,
      blobSample: int("dr.drillBlobSample", d.drillBlobSample, 20, 1, 1000),
    },
    mirror: {
      schedule: mirror.text,
      intervalMinutes: mirror.gap,
      rpoMinutes,
      maxDelete,
      maxDeletePercent: int("dr.maxDeletePercent", d.maxDeletePercent, 10, 0, 100),
      alwaysAllowDeletes,
      ...(approveDeletes ? { approveDeletes } : {}),
    },
    backup: { schedule: backupSchedule.text, ttl: ttl.text },
    restore: parseRestore(raw.restore, bucket),
  };
}
