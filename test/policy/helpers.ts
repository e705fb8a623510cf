// Synthetic resources and a one-policy runner for the policy unit tests. No PolicyPack is
// constructed: the pack's offline engine calls the policy the way the analyzer does.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { runPack, type PackResource, type RunOptions, type Violation } from "../../policy/lib/engine";
import { TYPES } from "../../policy/lib/resources";

let counter = 0;

export function resource(
  type: string,
  props: Record<string, unknown>,
  extra: { name?: string; protect?: boolean; propertyDependencies?: Record<string, string[]> } = {},
): PackResource {
  const name = extra.name ?? `r${++counter}`;
  return {
    type,
    name,
    urn: `urn:pulumi:test::harbor-platform::${type}::${name}`,
    props,
    protect: extra.protect,
    propertyDependencies: extra.propertyDependencies,
  };
}

/** A sub-resource of `bucket` whose `bucket` input is the bucket's id, as the program passes it. */
export function bucketPart(bucket: PackResource, type: string, props: Record<string, unknown>): PackResource {
  return resource(
    type,
    { bucket: `${bucket.name}-id`, ...props },
    { propertyDependencies: { bucket: [bucket.urn] } },
  );
}

export function release(chart: string, values: Record<string, unknown>, version = "1.0.0"): PackResource {
  return resource(TYPES.release, { chart, version, name: chart, namespace: chart, values }, { name: chart });
}

/** Harbor values that satisfy every policy in either topology. */
export function harborValues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    expose: { type: "ingress", tls: { enabled: true, certSource: "secret", secret: { secretName: "tls" } } },
    externalURL: "https://harbor.example.com",
    internalTLS: { enabled: true, certSource: "auto" },
    core: { replicas: 3, existingSecret: "creds" },
    database: { type: "external", external: { host: "pg-rw", sslmode: "verify-full", existingSecret: "pg" } },
    registry: { upload_purging: { enabled: true, age: "168h", interval: "24h", dryrun: false } },
    ...overrides,
  };
}

/** A bucket with every sub-resource the S3 policies ask for; `omit` drops sub-resources by type. */
export function compliantBucket(name = "dr", omit: string[] = [], protect = true): PackResource[] {
  const bucket = resource(TYPES.bucketV2, { bucket: `${name}-bucket` }, { name, protect });
  const parts = [
    bucketPart(bucket, TYPES.bucketVersioning, { versioningConfiguration: { status: "Enabled" } }),
    bucketPart(bucket, TYPES.bucketSse, {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "key" } }],
    }),
    bucketPart(bucket, TYPES.bucketPublicAccessBlock, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    bucketPart(bucket, TYPES.bucketPolicy, {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${name}-bucket`, `arn:aws:s3:::${name}-bucket/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    }),
    bucketPart(bucket, TYPES.bucketLifecycle, {
      rules: [
        {
          id: "noncurrent",
          status: "Enabled",
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    }),
  ];
  return [bucket, ...parts].filter((p) => !omit.includes(p.type));
}

/** Runs one policy over `resources`; returns the messages it reported. */
export async function check(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  resources: PackResource[],
  opts: RunOptions = {},
): Promise<string[]> {
  return (await runFull(policy, resources, opts)).map((v) => v.message);
}

export async function runFull(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  resources: PackResource[],
  opts: RunOptions = {},
): Promise<Violation[]> {
  return runPack([policy], resources, opts);
}
