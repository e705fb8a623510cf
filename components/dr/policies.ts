// Pure IAM and bucket policy documents of the DR bucket. Kept apart from the component so the
// tests read exactly what AWS would evaluate, and so no caller loads @pulumi/aws for them.
import type * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly AWS?: string; readonly Service?: string };
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

/** Refuses plain HTTP and TLS below 1.2, for every principal, on the bucket and its objects. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
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
    ],
  };
}

function kmsVia(region: string): PolicyStatement["Condition"] {
  // The key may only be used through S3 in the bucket's region, never directly.
  return { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } };
}

/**
 * What one writer (the mirror or Velero) may do: read, write and delete objects under its own
 * prefix of the DR bucket, list only that prefix, and use the bucket's key through S3. With a
 * replica it may also read (never write) the same prefix there, for a restore after a region loss.
 */
export function prefixUserPolicy(prefix: DrPrefix, primary: BucketRef, replica?: BucketRef): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ListOwnPrefix",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: primary.bucketArn,
      Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
    },
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
  ];
  if (replica) {
    statements.push(
      {
        Sid: "ListOwnPrefixOnReplica",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: replica.bucketArn,
        Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
      },
      {
        Sid: "ReadOwnPrefixOnReplica",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: `${replica.bucketArn}/${prefix}/*`,
      },
      {
        Sid: "DecryptReplica",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: replica.keyArn,
        Condition: kmsVia(replica.region),
      },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
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

/** The replication role: read versions of the source, replicate into the replica, re-encrypt. */
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
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
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
