// Type tokens and small readers shared by the policies. Policies match resources by their
// Pulumi type token (no provider SDK is imported), so the pack needs only @pulumi/policy.
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

export const TYPES = {
  release: "kubernetes:helm.sh/v3:Release",
  namespace: "kubernetes:core/v1:Namespace",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  cnpgCluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  certificate: "kubernetes:cert-manager.io/v1:Certificate",
  privateKey: "tls:index/privateKey:PrivateKey",
  selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
  locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketSseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  kmsKey: "aws:kms/key:Key",
} as const;

export const BUCKET_TYPES: readonly string[] = [TYPES.bucket, TYPES.bucketV2];

/** The minimal view of a resource the stack-level helpers need (PolicyResource fits it). */
export interface ResourceLike {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

export type Obj = Record<string, unknown>;

/**
 * True when `obj[key]` is a value unknown in a preview, found without reading it: the
 * analyzer's proxy (and the offline engine's) throws on reading an unknown, which makes the
 * whole policy advisory for that resource. Only for values the policy would not judge anyway.
 */
export function isUnknownAt(obj: Obj, key: string): boolean {
  return Object.getOwnPropertyDescriptor(obj, key)?.value === unknownValue;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a dotted path (`expose.tls.enabled`) out of nested objects; undefined when absent. */
export function get(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const k of dotted.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** The chart name of a Helm Release (`harbor`, or `oci://…/harbor` → `harbor`). */
export function chartName(props: Obj): string | undefined {
  const chart = props.chart;
  if (typeof chart !== "string") return undefined;
  return chart.split("/").pop();
}

/** True when `type`/`props` describe a helm.v3.Release of the given chart. */
export function isReleaseOf(r: { type: string; props: Obj }, chart: string): boolean {
  return r.type === TYPES.release && chartName(r.props) === chart;
}

/** The values a Release passes to its chart ({} when none). */
export function releaseValues(props: Obj): Obj {
  return isObj(props.values) ? props.values : {};
}

export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export function isFalse(v: unknown): boolean {
  return v === false || v === "false";
}

/** A resource with the inputs its properties were computed from, as stack policies get it. */
export interface LinkedResource extends ResourceLike {
  readonly propertyDependencies: Readonly<Record<string, readonly { readonly urn: string }[]>>;
}

/**
 * The resources of `types` whose `bucket` input comes from `bucket`. Joined by the engine's
 * property dependencies, not by value: a new bucket's id is unknown in a preview, and a policy
 * that read it could not run (the analyzer downgrades it to advisory).
 */
export function subresourcesOf<R extends LinkedResource>(
  bucket: ResourceLike,
  all: readonly R[],
  types: readonly string[],
): R[] {
  return all.filter(
    (r) => types.includes(r.type) && (r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn),
  );
}

/** A policy document given as JSON text or as an object. */
export function policyDocument(v: unknown): Obj | undefined {
  if (isObj(v)) return v;
  if (typeof v !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObj(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}
