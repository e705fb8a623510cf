import type { StackValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES, TYPES, asArray, get, isObj, subresourcesOf } from "../lib/resources";

type Rule = Record<string, unknown>;

const enabled = (r: Rule) => r.status === "Enabled";

export const drBucketLifecycle: StackValidationPolicy = {
  name: "dr-bucket-lifecycle",
  description:
    "Every S3 bucket's lifecycle expires noncurrent versions and aborts incomplete multipart uploads.",
  enforcementLevel: "mandatory",
  tags: ["gc"],
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const rules = subresourcesOf(bucket, args.resources, [TYPES.bucketLifecycle, TYPES.bucketLifecycleV2])
        .flatMap((l) => asArray(l.props.rules))
        .filter((r): r is Rule => isObj(r) && enabled(r));
      const expires = rules.some((r) => {
        const e = asArray(r.noncurrentVersionExpiration)[0];
        return Number(get(e, "noncurrentDays") ?? 0) > 0;
      });
      const aborts = rules.some((r) => {
        const a = asArray(r.abortIncompleteMultipartUpload)[0];
        return Number(get(a, "daysAfterInitiation") ?? 0) > 0;
      });
      if (!expires)
        reportViolation(
          `bucket ${bucket.name} has no enabled rule expiring noncurrent versions.`,
          bucket.urn,
        );
      if (!aborts)
        reportViolation(`bucket ${bucket.name} has no enabled rule aborting incomplete uploads.`, bucket.urn);
    }
  },
};
