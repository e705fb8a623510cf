import type { StackValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES, TYPES, asArray, get, isObj, policyDocument, subresourcesOf } from "../lib/resources";

/** True when the policy document denies every request made without TLS. */
export function deniesInsecureTransport(doc: unknown): boolean {
  return asArray(get(doc, "Statement")).some((s) => {
    if (!isObj(s) || s.Effect !== "Deny") return false;
    const actions = asArray(s.Action);
    if (!actions.includes("s3:*") && !actions.includes("*")) return false;
    const value = get(s, "Condition.Bool")
      ? (get(s, "Condition.Bool") as Record<string, unknown>)["aws:SecureTransport"]
      : undefined;
    return asArray(value).map(String).includes("false");
  });
}

export const s3BucketTlsOnly: StackValidationPolicy = {
  name: "s3-bucket-tls-only",
  description: "Every S3 bucket has a bucket policy that denies requests not made over TLS.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const policies = subresourcesOf(bucket, args.resources, [TYPES.bucketPolicy]);
      if (!policies.some((p) => deniesInsecureTransport(policyDocument(p.props.policy)))) {
        reportViolation(
          `bucket ${bucket.name} has no bucket policy denying s3:* when aws:SecureTransport is false.`,
          bucket.urn,
        );
      }
    }
  },
};
