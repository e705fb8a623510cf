// Pure IAM and bucket policy documents of the DR bucket. Kept apart from the component so the
// tests read exactly what AWS would evaluate, and so no caller loads @pulumi/aws for them.
import type * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string };
  readonly Action: string | readonly string[];
  /** Absent only in trust policies, whose subject is the role itself. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** Where each writer keeps its data inside the DR bucket. */
export const DR_PREFIXES = { mirror: "mirror", velero: "velero" } as const;
export type DrPrefix = (typeof DR_PREFIXES)[keyof typeof DR_PREFIXES];

/** What a component writing to the DR bucket needs: where, which key, and its IAM user's keys. */
export interface DrWriterArgs {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly accessKeyId: pulumi.Input<string>;
  readonly secretAccessKey: pulumi.Input<string>;
}

/** One bucket with the KMS key that encrypts it and the region S3 serves it from. */
export interface BucketRef {
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly region: string;
}

/**
 * The DR bucket's own policy, for every principal: no plain HTTP, no TLS below 1.2, and no
 * SSE-C upload (an object encrypted with a key only its writer holds is no DR copy; AWS's
 * documented form: deny s3:PutObject when the customer-algorithm header is present).
 */
export function drBucketPolicy(bucketArn: string): PolicyDocument {
  const Resource = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource,
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
      {
        Sid: "DenySseC",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${bucketArn}/*`,
        Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
      },
    ],
  };
}

function kmsVia(region: string): PolicyStatement["Condition"] {
  // The key may only be used through S3 in the bucket's region, never directly.
  return { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } };
}

/**
 * What no DR user may do, whatever else is ever attached to it: remove a version (the only
 * deletion a delete marker cannot undo), touch retention or legal holds, or change the
 * bucket's versioning, lock, lifecycle, replication or policy. Only S3's lifecycle removes
 * versions, after their retention.
 */
export const HISTORY_ACTIONS = [
  "s3:DeleteObjectVersion",
  "s3:BypassGovernanceRetention",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:DeleteBucket",
] as const;

function denyHistory(buckets: readonly BucketRef[]): PolicyStatement {
  return {
    Sid: "DenyRewritingHistory",
    Effect: "Deny",
    Action: HISTORY_ACTIONS,
    Resource: buckets.flatMap((b) => [b.bucketArn, `${b.bucketArn}/*`]),
  };
}

function listPrefixes(
  sid: string,
  actions: string | readonly string[],
  bucket: BucketRef,
  prefixes: readonly string[],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: bucket.bucketArn,
    Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}/*`]) } },
  };
}

/**
 * What one writer (the mirror or Velero) may do: read, write and delete (a delete marker)
 * objects under its own prefix of the DR bucket, list only that prefix, and use the bucket's key
 * through S3. Nothing on the replica: reading it after a region loss is the restore user's job.
 */
export function prefixUserPolicy(prefix: DrPrefix, primary: BucketRef, replica?: BucketRef): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      listPrefixes("ListOwnPrefix", "s3:ListBucket", primary, [prefix]),
      {
        Sid: "ReadWriteOwnPrefix",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ],
        Resource: `${primary.bucketArn}/${prefix}/*`,
      },
      {
        Sid: "UseBucketKey",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: primary.keyArn,
        Condition: kmsVia(primary.region),
      },
      denyHistory(replica ? [primary, replica] : [primary]),
    ],
  };
}

/**
 * The restore's user (the refill, a point-in-time refill, a read-only Velero location): reads
 * every version under both prefixes, of the DR bucket and of its replica, and writes nothing.
 * Its own key, so fencing the old site's writers does not stop a restore.
 */
export function restoreUserPolicy(primary: BucketRef, replica?: BucketRef): PolicyDocument {
  const prefixes = Object.values(DR_PREFIXES);
  const read = (b: BucketRef, at: string): PolicyStatement[] => [
    listPrefixes(`List${at}`, ["s3:ListBucket", "s3:ListBucketVersions"], b, prefixes),
    {
      Sid: `Read${at}`,
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: prefixes.map((p) => `${b.bucketArn}/${p}/*`),
    },
    {
      Sid: `Decrypt${at}`,
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: b.keyArn,
      Condition: kmsVia(b.region),
    },
  ];
  return {
    Version: "2012-10-17",
    Statement: [
      ...read(primary, "Primary"),
      ...(replica ? read(replica, "Replica") : []),
      denyHistory(replica ? [primary, replica] : [primary]),
    ],
  };
}

export function s3AssumeRolePolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * The replication role: read versions of the source (with their retention and legal hold, which
 * Object Lock replication needs), replicate into the replica, re-encrypt with the replica's key.
 */
export function replicationPolicy(source: BucketRef, replica: BucketRef): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSourceConfig",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: source.bucketArn,
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: `${source.bucketArn}/*`,
      },
      {
        Sid: "WriteReplica",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: `${replica.bucketArn}/*`,
      },
      {
        Sid: "DecryptSource",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: source.keyArn,
        Condition: kmsVia(source.region),
      },
      {
        Sid: "EncryptReplica",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: replica.keyArn,
        Condition: kmsVia(replica.region),
      },
    ],
  };
}

/** Who may use one bucket key, for what, and only through S3 in the key's region. */
export interface KeyGrant {
  readonly sid: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
}

/**
 * Administration of a key without use of it, as AWS documents the key administrators'
 * statement: the key policy must name someone who can still change it (or AWS refuses it, and
 * without the lockout check the key would be lost). The account root delegates that to IAM, so
 * the deployer's IAM permissions administer the key; decrypting needs a grant below or a new,
 * audited key policy.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

/** `arn:<partition>:iam::<account>:root` of the account that owns a KMS key. */
export function accountRootOf(keyArn: string): string {
  const m = /^arn:([^:]+):kms:[^:]*:(\d{12}):key\//.exec(keyArn);
  if (!m) throw new Error(`not a KMS key ARN: ${keyArn}`);
  return `arn:${m[1]}:iam::${m[2]}:root`;
}

/** A bucket key's policy: administration for the account, use for exactly the granted principals. */
export function keyPolicy(key: BucketRef, grants: readonly KeyGrant[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: accountRootOf(key.keyArn) },
        Action: KEY_ADMIN_ACTIONS,
        Resource: "*",
      },
      ...grants.map((g): PolicyStatement => ({
        Sid: g.sid,
        Effect: "Allow",
        Principal: { AWS: g.principals },
        Action: g.actions,
        // In a key policy "*" is the key itself.
        Resource: "*",
        Condition: kmsVia(key.region),
      })),
    ],
  };
}
