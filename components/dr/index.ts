// The AWS side of disaster recovery: a KMS-encrypted, versioned, TLS-only, private DR bucket,
// optionally replicated to a second region, and one IAM user per writer limited to its prefix.
// This is the only module (with its siblings) that loads @pulumi/aws: dev never imports it.
import * as pulumi from "@pulumi/pulumi";
// The AWS submodules it uses, not the package index: the index sets up every AWS service (~0.1 s).
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as s3 from "@pulumi/aws/s3";
import {
  DR_PREFIXES,
  prefixUserPolicy,
  replicationPolicy,
  s3AssumeRolePolicy,
  tlsOnlyBucketPolicy,
  type BucketRef,
  type DrPrefix,
} from "./policies";

export { DR_PREFIXES } from "./policies";

export interface DrBucketArgs {
  readonly bucketName: string;
  readonly region: string;
  readonly noncurrentVersionDays: number;
  readonly abortIncompleteUploadDays: number;
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
  /** Resources a replication rule must wait for (versioning is a precondition). */
  readonly versioning: s3.BucketVersioning;
}

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

  constructor(name: string, args: DrBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:dr:DrBucket", name, {}, opts);
    const tags = { "app.kubernetes.io/part-of": "harbor-platform", ...args.tags };

    const primary = this.encryptedBucket(name, args.bucketName, args.region, args, args.provider, tags);
    const primaryRef = refOf(primary, args.region);

    let replicaRef: pulumi.Output<BucketRef> | undefined;
    if (args.replica) {
      const r = args.replica;
      const replica = this.encryptedBucket(`${name}-replica`, r.bucketName, r.region, args, r.provider, tags);
      replicaRef = refOf(replica, r.region);
      this.replicaBucketName = replica.bucket.bucket;
      this.replicaKmsKeyArn = replica.key.arn;
      this.replicate(name, primary, replica, primaryRef, replicaRef, args.provider, tags);
    }

    this.mirrorCredentials = this.prefixUser(
      name,
      args.bucketName,
      DR_PREFIXES.mirror,
      primaryRef,
      replicaRef,
      args.provider,
      tags,
    );
    this.veleroCredentials = this.prefixUser(
      name,
      args.bucketName,
      DR_PREFIXES.velero,
      primaryRef,
      replicaRef,
      args.provider,
      tags,
    );

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
    new kms.Alias(`${name}-key-alias`, { name: `alias/${bucketName}`, targetKeyId: key.keyId }, opts);
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
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            // One data key per bucket instead of one KMS call per object: cheaper, fewer throttles.
            bucketKeyEnabled: true,
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
        policy: partition.apply((p) => JSON.stringify(tlsOnlyBucketPolicy(`arn:${p}:s3:::${bucketName}`))),
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
    return { bucket, key, versioning };
  }

  private replicate(
    name: string,
    primary: EncryptedBucket,
    replica: EncryptedBucket,
    primaryRef: pulumi.Output<BucketRef>,
    replicaRef: pulumi.Output<BucketRef>,
    provider: AwsProvider,
    tags: Record<string, string>,
  ): void {
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
      { ...opts, dependsOn: [primary.versioning, replica.versioning] },
    );
  }

  private prefixUser(
    name: string,
    bucketName: string,
    prefix: DrPrefix,
    primaryRef: pulumi.Output<BucketRef>,
    replicaRef: pulumi.Output<BucketRef> | undefined,
    provider: AwsProvider,
    tags: Record<string, string>,
  ): AccessKeyPair {
    const opts = { parent: this, provider };
    const user = new iam.User(`${name}-${prefix}`, { name: `${bucketName}-${prefix}`, tags }, opts);
    new iam.UserPolicy(
      `${name}-${prefix}`,
      {
        user: user.name,
        policy: pulumi
          .all([primaryRef, replicaRef])
          .apply(([p, r]) => JSON.stringify(prefixUserPolicy(prefix, p, r))),
      },
      opts,
    );
    const key = new iam.AccessKey(`${name}-${prefix}`, { user: user.name }, opts);
    return { accessKeyId: key.id, secretAccessKey: pulumi.secret(key.secret) };
  }
}

function refOf(b: EncryptedBucket, region: string): pulumi.Output<BucketRef> {
  return pulumi
    .all([b.bucket.arn, b.key.arn])
    .apply(([bucketArn, keyArn]) => ({ bucketArn, keyArn, region }));
}
