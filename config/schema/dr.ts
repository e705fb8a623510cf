// The disaster-recovery keys (prod only): the DR bucket in AWS and its mirror, Velero's schedule,
// the restore switch and the secrets a restore without its Pulumi state brings back, plus
// `aws:region`, the aws provider's own key. Rules across fields (RPO against the mirror's gap,
// TTL against the backup schedule, regions, approvals, lock days) are in config/dr.ts.
import { z } from "zod";
import {
  boolean,
  cron,
  duration,
  hasControlCharacters,
  integer,
  key,
  leaf,
  oneOf,
  pattern,
  s3BucketName,
  s3BucketNameProblem,
  section,
  text,
} from "./define";
import { IAM_USER_NAME_MAX, awsRegion, iamUserNameProblem, kmsAliasProblem } from "./aws";

const DR = "Disaster recovery (prod)";

/** The IAM users of the DR bucket, one per job, so each key can be revoked alone. */
export const DR_USERS = ["mirror", "velero", "restore"] as const;
export type DrUser = (typeof DR_USERS)[number];

export function drUserName(bucket: string, user: DrUser): string {
  return `${bucket}-${user}`;
}

/** The alias of the KMS key that encrypts a DR bucket (one per bucket, in its region). */
export function drKmsAlias(bucket: string): string {
  return `alias/${bucket}`;
}

/**
 * What AWS would refuse among the names a DR bucket name gives: its own, its KMS alias and
 * (the primary bucket only) its IAM users. One line, or undefined.
 */
export function drBucketNameProblem(name: string, primary: boolean): string | undefined {
  const s3 = s3BucketNameProblem(name);
  if (s3 !== undefined) return `an S3 bucket name; ${s3}`;
  const alias = kmsAliasProblem(drKmsAlias(name));
  // Only a dot can do this to a valid bucket name; a dotted name also breaks TLS to
  // <bucket>.s3.amazonaws.com (virtual-hosted requests).
  if (alias !== undefined)
    return `an S3 bucket name without dots: KMS refuses its alias ${drKmsAlias(name)} (${alias})`;
  if (!primary) return undefined;
  const longest = Math.max(...DR_USERS.map((u) => drUserName(name, u).length));
  if (longest > IAM_USER_NAME_MAX)
    return `at most ${name.length - (longest - IAM_USER_NAME_MAX)} characters: the IAM users are named <bucketName>-${DR_USERS.join("|")} and IAM allows ${IAM_USER_NAME_MAX}`;
  for (const u of DR_USERS) {
    const problem = iamUserNameProblem(drUserName(name, u));
    if (problem !== undefined) return `a name IAM accepts in the user ${drUserName(name, u)}: ${problem}`;
  }
  return undefined;
}

function drBucketName(primary: boolean) {
  return s3BucketName().superRefine((name, ctx) => {
    const problem = drBucketNameProblem(name, primary);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, input: name });
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** An RFC 3339 time with a zone, as CloudNativePG's recovery target reads it. */
export function rfc3339Time(allowed = "an RFC 3339 time with a zone, like 2026-03-01T10:30:00Z") {
  return leaf<string>({ type: "time", allowed }, (v) =>
    typeof v === "string" && RFC3339.test(v) && !isNaN(Date.parse(v)) ? v : undefined,
  );
}

/**
 * A UTC time as rclone and the mirror script read it. rclone takes a time without a zone as
 * local time (docs: "Time or duration options"), so only the `Z` form is accepted.
 */
export function utcTime(allowed = "an RFC 3339 time in UTC with a Z, like 2026-03-01T10:30:00Z") {
  return leaf<string>({ type: "UTC time", allowed }, (v) =>
    typeof v === "string" && RFC3339_UTC.test(v) && !isNaN(Date.parse(v)) ? v : undefined,
  );
}

/** A barman-cloud server name: one segment of the archive's S3 path (the Cluster's name by default). */
const serverName = (what: string) =>
  pattern(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    `${what}: letters, digits, '.', '_' and '-' (one S3 path segment), like harbor-pg`,
  );

/** Harbor accepts only a 16-character secretKey (its AES key). */
export const HARBOR_SECRET_KEY_LENGTH = 16;

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

const restoredSecret = (schema: z.ZodType<string, unknown>, doc: string) =>
  key({ schema, doc, group: DR, topologies: ["prod"], secret: true });

export const DR_KEYS = {
  dr: key({
    schema: section({
      bucketName: drBucketName(true).meta({
        doc: "DR bucket in aws:region; it also names the bucket's KMS alias (alias/<bucketName>) and IAM users (<bucketName>-mirror, -velero, -restore)",
      }),
      replicaRegion: awsRegion()
        .optional()
        .meta({ doc: "second region holding a replica of the DR bucket; unset: no replica" }),
      replicaBucketName: drBucketName(false)
        .optional()
        .meta({ doc: "replica bucket (with replicaRegion)", defaultText: "<bucketName>-replica" }),
      noncurrentVersionDays: integer(1, 3650)
        .prefault(30)
        .meta({ doc: "days a replaced or deleted object version is kept before S3 expires it" }),
      abortIncompleteUploadDays: integer(1, 365)
        .prefault(7)
        .meta({ doc: "days after which S3 aborts a multipart upload that never completed" }),
      mirrorSchedule: cron("kubernetes")
        .prefault("*/15 * * * *")
        .meta({ doc: "MinIO -> S3 mirror CronJob schedule (UTC); its longest gap must fit in rpoMinutes" }),
      rpoMinutes: integer(1, 7 * 24 * 60)
        .prefault(60)
        .meta({ doc: "recovery point objective of the mirror; the stale-mirror alert follows it" }),
      maxDelete: integer(1).prefault(1000).meta({
        doc: "deletes one mirror run may make in one bucket's DR copy; above it the bucket is held",
      }),
      maxDeletePercent: integer(0, 100)
        .prefault(10)
        .meta({ doc: "the same bound as a percentage of the objects in that bucket's DR copy" }),
      alwaysAllowDeletes: integer(0)
        .prefault(50)
        .meta({ doc: "deletes that pass even above maxDeletePercent (small buckets); at most maxDelete" }),
      approveDeletes: section({
        bucket: s3BucketName("the MinIO bucket whose sync was held").meta({ doc: "the held MinIO bucket" }),
        count: integer(1, undefined, "the most objects the approved run may delete: an integer >= 1").meta({
          doc: "the most objects the approved run may delete",
        }),
        until: utcTime().meta({ doc: "when the approval lapses unused (UTC)" }),
      })
        .optional()
        .meta({ doc: "one-shot approval of a held bucket's deletes; remove it afterwards" }),
      objectLock: section({
        mode: oneOf(
          ["governance", "compliance"] as const,
          "governance (default; an admin with s3:BypassGovernanceRetention can still remove a version) or compliance (irreversible: nobody can, until the retention ends)",
        )
          .prefault("governance")
          .meta({ doc: "Object Lock mode of new versions in both buckets" }),
        days: integer(1).optional().meta({
          doc: "default retention in days; at most noncurrentVersionDays",
          defaultText: "noncurrentVersionDays",
        }),
      })
        .prefault({})
        .meta({ doc: "default Object Lock retention of every new object version" }),
      drillSchedule: cron("kubernetes")
        .prefault("30 4 * * *")
        .meta({ doc: "CronJob schedule of the restore drills (UTC)" }),
      drillBlobSample: integer(1, 1000)
        .prefault(20)
        .meta({ doc: "registry blobs each blob drill compares with their DR copy" }),
    }),
    doc: "The DR copy in AWS: bucket, replica, lifecycle, Object Lock, the MinIO mirror's schedule and delete bounds, the restore drills.",
    group: DR,
    topologies: ["prod"],
    required: ["prod"],
    requiredHint: "{bucketName, mirrorSchedule, ...} of the DR copy in AWS",
  }),
  backup: key({
    schema: section({
      schedule: cron("velero")
        .prefault("0 */6 * * *")
        .meta({ doc: "Velero Schedule of Harbor's and the database's namespaces" }),
      ttl: duration()
        .prefault("720h")
        .meta({ doc: "how long Velero keeps each backup; at least twice the schedule's longest gap" }),
    }),
    doc: "Velero's backups of Harbor's and the database's namespaces, Secrets included.",
    group: DR,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  restore: key({
    schema: section({
      enabled: boolean().prefault(false).meta({ doc: "rebuild the site from the DR copy" }),
      source: section({
        bucket: s3BucketName().meta({ doc: "dr.bucketName, or dr.replicaBucketName after a region loss" }),
        region: awsRegion().meta({ doc: "that bucket's region" }),
        serverName: serverName("the barman server name of the lost cluster").meta({
          doc: "barman server name the lost cluster archived under (usually its Cluster name)",
        }),
      })
        .optional()
        .meta({ doc: "the DR copy to restore from; required when enabled" }),
      targetTime: rfc3339Time().optional().meta({
        doc: "point in time to recover the database to",
        defaultText: "the end of the archived WAL",
      }),
      archiveServerName: serverName("a barman server name").optional().meta({
        doc: "server name the restored cluster archives under; never the source's",
        defaultText: "<source.serverName>-restored",
      }),
      mirrorVersionAt: utcTime().optional().meta({
        doc: "refill MinIO from the DR copy as it was at this time",
        defaultText: "the current copy",
      }),
      lostState: boolean()
        .prefault(false)
        .meta({ doc: "the Pulumi state was lost: the restored* secret keys bring back the data's secrets" }),
    }),
    doc: "The restore switch: the database recovers from the archive and MinIO is refilled from S3 before Harbor starts (docs/runbook-site-loss.md).",
    group: DR,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  restoredHarborSecretKey: restoredSecret(
    // Harbor reads it as the AES key: its length in bytes.
    leaf<string>(
      {
        type: "string",
        allowed: `exactly ${HARBOR_SECRET_KEY_LENGTH} characters: Harbor's secretKey from the Secret harbor-credentials`,
      },
      (v) =>
        typeof v === "string" &&
        !hasControlCharacters(v) &&
        Buffer.byteLength(v, "utf8") === HARBOR_SECRET_KEY_LENGTH
          ? v
          : undefined,
    ),
    "Harbor's secret key, from the Velero backup, when restore.lostState is set.",
  ),
  restoredHarborAdminPassword: restoredSecret(
    text("a non-empty password without control characters"),
    "Harbor's admin password, from the Velero backup, when restore.lostState is set.",
  ),
  restoredDatabasePassword: restoredSecret(
    text("a non-empty password without control characters"),
    "The database owner's password, from the Velero backup, when restore.lostState is set.",
  ),
} as const;

/** Keys of other namespaces the program reads. */
export const DR_FOREIGN_KEYS = {
  "aws:region": key({
    schema: awsRegion(),
    doc: "The aws provider's region: the DR bucket's region (and the primary AWS provider's).",
    group: DR,
    topologies: ["prod"],
    required: ["prod"],
    requiredHint: "the AWS region of the DR bucket, like eu-central-1",
  }),
} as const;

export type DrKeys = typeof DR_KEYS;
export type DrValue = z.output<DrKeys["dr"]["schema"]>;
export type BackupValue = z.output<DrKeys["backup"]["schema"]>;
export type RestoreValue = z.output<DrKeys["restore"]["schema"]>;
