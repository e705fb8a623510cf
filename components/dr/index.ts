// The AWS side of disaster recovery: a KMS-encrypted, versioned, Object-Locked, TLS-only,
// private DR bucket, optionally replicated to a second region; one IAM user per job (the mirror
// and Velero each write their prefix, the restore only reads), none of which may remove a
// version; bucket keys whose policies name exactly those users and the replication role.
// This is the only module (with its siblings) that loads @pulumi/aws: dev never imports it.
import * as pulumi from "@pulumi/pulumi";
// The AWS submodules it uses, not the package index: the index sets up every AWS service (~0.1 s).
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as s3 from "@pulumi/aws/s3";
import { drKmsAlias, drUserName, type DrUser, type ObjectLockConfig } from "../../config/dr";
import {
  DR_PREFIXES,
  drBucketPolicy,
  keyPolicy,
  prefixUserPolicy,
  replicationPolicy,
  restoreUserPolicy,
  s3AssumeRolePolicy,
  type BucketRef,
  type KeyGrant,
  type PolicyDocument,
} from "./policies";

export { DR_PREFIXES } from "./policies";

export interface DrBucketArgs {
  readonly bucketName: string;
  readonly region: string;
  readonly noncurrentVersionDays: number;
  readonly abortIncompleteUploadDays: number;
  /** Default retention of new versions in both buckets. */
  readonly objectLock: ObjectLockConfig;
  /** Provider for `region`. */
  readonly provider: AwsProvider;
  /** A replica in a second region; its provider must target that region. */
  readonly replica?: {
    readonly bucketName: string;
    readonly region: string;
    readonly provider: AwsProvider;
  };
  /** Protect keys and buckets from deletion (prod). */
  readonly protect: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Credentials of one IAM user; the secret is a Pulumi secret. */
export interface AccessKeyPair {
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

interface EncryptedBucket {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  /** Resources a replication rule must wait for (versioning and Object Lock on both ends). */
  readonly ready: pulumi.Resource[];
}

/** What may use a bucket's key (S3 calls KMS as the requesting principal). */
const WRITER_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];
const READER_KEY_ACTIONS = ["kms:Decrypt"];

export class DrBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly region: string;
  readonly replicaBucketName?: pulumi.Output<string>;
  readonly replicaKmsKeyArn?: pulumi.Output<string>;
  /** The mirror's user: read/write under `mirror/`. */
  readonly mirrorCredentials: AccessKeyPair;
  /** Velero's user: read/write under `velero/`. */
  readonly veleroCredentials: AccessKeyPair;
  /** The restore's user: reads every version of both prefixes, in both buckets; writes nothing. */
  readonly restoreCredentials: AccessKeyPair;

  constructor(name: string, args: DrBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:dr:DrBucket", name, {}, opts);
    const tags = { "app.kubernetes.io/part-of": "harbor-platform", ...args.tags };

    const primary = this.encryptedBucket(name, args.bucketName, args.region, args, args.provider, tags);
    const primaryRef = refOf(primary, args.region);

    let replica: EncryptedBucket | undefined;
    let replicaRef: pulumi.Output<BucketRef> | undefined;
    let replicationRole: iam.Role | undefined;
    if (args.replica) {
      const r = args.replica;
      replica = this.encryptedBucket(`${name}-replica`, r.bucketName, r.region, args, r.provider, tags);
      replicaRef = refOf(replica, r.region);
      this.replicaBucketName = replica.bucket.bucket;
      this.replicaKmsKeyArn = replica.key.arn;
      replicationRole = this.replicate(name, primary, replica, primaryRef, replicaRef, args.provider, tags);
    }

    const refs = pulumi.all([primaryRef, replicaRef]);
    const user = (who: DrUser, policy: (p: BucketRef, r?: BucketRef) => PolicyDocument) =>
      this.user(
        name,
        args.bucketName,
        who,
        refs.apply(([p, r]) => JSON.stringify(policy(p, r))),
        args.provider,
        tags,
      );
    const mirror = user("mirror", (p, r) => prefixUserPolicy(DR_PREFIXES.mirror, p, r));
    const velero = user("velero", (p, r) => prefixUserPolicy(DR_PREFIXES.velero, p, r));
    const restore = user("restore", restoreUserPolicy);
    this.mirrorCredentials = mirror.credentials;
    this.veleroCredentials = velero.credentials;
    this.restoreCredentials = restore.credentials;

    // Exactly these principals use the keys; nothing else in the account decrypts the DR copy.
    const primaryGrants: Grant[] = [
      { sid: "WritersEncryptDecrypt", principals: [mirror.arn, velero.arn], actions: WRITER_KEY_ACTIONS },
      { sid: "RestoreDecrypts", principals: [restore.arn], actions: READER_KEY_ACTIONS },
    ];
    const replicaGrants: Grant[] = [
      { sid: "RestoreDecrypts", principals: [restore.arn], actions: READER_KEY_ACTIONS },
    ];
    if (replicationRole) {
      primaryGrants.push({
        sid: "ReplicationReadsSource",
        principals: [replicationRole.arn],
        actions: READER_KEY_ACTIONS,
      });
      replicaGrants.push({
        sid: "ReplicationEncryptsReplica",
        principals: [replicationRole.arn],
        actions: ["kms:Encrypt", "kms:GenerateDataKey"],
      });
    }
    this.keyPolicy(name, primary, primaryRef, primaryGrants, args.provider);
    if (replica && replicaRef && args.replica)
      this.keyPolicy(`${name}-replica`, replica, replicaRef, replicaGrants, args.replica.provider);

    this.bucketName = primary.bucket.bucket;
    this.bucketArn = primary.bucket.arn;
    this.kmsKeyArn = primary.key.arn;
    this.region = args.region;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
      replicaBucketName: this.replicaBucketName,
    });
  }

  private encryptedBucket(
    name: string,
    bucketName: string,
    region: string,
    args: DrBucketArgs,
    provider: AwsProvider,
    tags: Record<string, string>,
  ): EncryptedBucket {
    const opts = { parent: this, provider };
    // Losing the key loses every object: protected like the data, and a long deletion window.
    const key = new kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the Harbor DR bucket ${bucketName} (${region})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { ...opts, protect: args.protect },
    );
    new kms.Alias(`${name}-key-alias`, { name: drKmsAlias(bucketName), targetKeyId: key.keyId }, opts);
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      // forceDestroy stays false: deleting the stack must never empty the DR copy.
      { bucket: bucketName, forceDestroy: false, tags },
      { ...opts, protect: args.protect },
    );
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      opts,
    );
    // Object Lock through its own resource, after versioning: setting the bucket's own
    // objectLockEnabled would replace the bucket. It cannot be turned off again; the default
    // retention covers versions written from now on.
    const objectLock = new s3.BucketObjectLockConfiguration(
      `${name}-object-lock`,
      {
        bucket: bucket.id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
      },
      // Deleting it would drop the default retention of every version written afterwards.
      { ...opts, dependsOn: [versioning], protect: args.protect },
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            // One data key per bucket instead of one KMS call per object: cheaper, fewer throttles.
            bucketKeyEnabled: true,
            // S3's own switch, beside the bucket policy's deny: no object under a key we do not hold.
            blockedEncryptionTypes: ["SSE-C"],
          },
        ],
      },
      opts,
    );
    const publicAccess = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      opts,
    );
    new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      opts,
    );
    // After the public access block, so the policy is never evaluated on an open bucket.
    // The ARN from the known name and the provider's partition, not `bucket.arn`: a new bucket's
    // ARN is unknown in a preview, which would leave the document unknown to the policy pack.
    const partition = getPartitionOutput({}, opts).partition;
    new s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: bucket.id,
        policy: partition.apply((p) => JSON.stringify(drBucketPolicy(`arn:${p}:s3:::${bucketName}`))),
      },
      { ...opts, dependsOn: [publicAccess] },
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
          },
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadDays },
          },
        ],
      },
      // Lifecycle rules on noncurrent versions need versioning first.
      { ...opts, dependsOn: [versioning] },
    );
    return { bucket, key, ready: [versioning, objectLock] };
  }

  private replicate(
    name: string,
    primary: EncryptedBucket,
    replica: EncryptedBucket,
    primaryRef: pulumi.Output<BucketRef>,
    replicaRef: pulumi.Output<BucketRef>,
    provider: AwsProvider,
    tags: Record<string, string>,
  ): iam.Role {
    const opts = { parent: this, provider };
    const role = new iam.Role(
      `${name}-replication`,
      { assumeRolePolicy: JSON.stringify(s3AssumeRolePolicy()), tags },
      opts,
    );
    new iam.RolePolicy(
      `${name}-replication`,
      {
        role: role.id,
        policy: pulumi
          .all([primaryRef, replicaRef])
          .apply(([s, r]) => JSON.stringify(replicationPolicy(s, r))),
      },
      opts,
    );
    new s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: primary.bucket.id,
        role: role.arn,
        rules: [
          {
            id: "replicate-everything",
            status: "Enabled",
            priority: 1,
            filter: {},
            // A mirror deletion becomes a delete marker in both regions; versions stay recoverable.
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: replica.bucket.arn,
              storageClass: "STANDARD",
              encryptionConfiguration: { replicaKmsKeyId: replica.key.arn },
            },
          },
        ],
      },
      // The replica needs Object Lock before locked versions can replicate into it.
      { ...opts, dependsOn: [...primary.ready, ...replica.ready] },
    );
    return role;
  }

  private user(
    name: string,
    bucketName: string,
    who: DrUser,
    policy: pulumi.Input<string>,
    provider: AwsProvider,
    tags: Record<string, string>,
  ): { arn: pulumi.Output<string>; credentials: AccessKeyPair } {
    const opts = { parent: this, provider };
    const user = new iam.User(`${name}-${who}`, { name: drUserName(bucketName, who), tags }, opts);
    new iam.UserPolicy(`${name}-${who}`, { user: user.name, policy }, opts);
    const key = new iam.AccessKey(`${name}-${who}`, { user: user.name }, opts);
    return {
      arn: user.arn,
      credentials: { accessKeyId: key.id, secretAccessKey: pulumi.secret(key.secret) },
    };
  }

  private keyPolicy(
    name: string,
    b: EncryptedBucket,
    ref: pulumi.Output<BucketRef>,
    grants: readonly Grant[],
    provider: AwsProvider,
  ): void {
    const principals: pulumi.Output<string[][]> = pulumi.all(
      grants.map((g) => pulumi.all([...g.principals])),
    );
    new kms.KeyPolicy(
      `${name}-key-policy`,
      {
        keyId: b.key.keyId,
        policy: pulumi.all([ref, principals]).apply(([key, resolved]) =>
          JSON.stringify(
            keyPolicy(
              key,
              grants.map((g, i): KeyGrant => ({ sid: g.sid, principals: resolved[i], actions: g.actions })),
            ),
          ),
        ),
      },
      { parent: this, provider },
    );
  }
}

/** A key grant whose principals are still outputs of the users and role. */
interface Grant {
  readonly sid: string;
  readonly principals: readonly pulumi.Output<string>[];
  readonly actions: readonly string[];
}

function refOf(b: EncryptedBucket, region: string): pulumi.Output<BucketRef> {
  return pulumi
    .all([b.bucket.arn, b.key.arn])
    .apply(([bucketArn, keyArn]) => ({ bucketArn, keyArn, region }));
}
