import type { StackValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { BUCKET_TYPES, TYPES, get, subresourcesOf } from "../lib/resources";

export const s3BucketVersioned: StackValidationPolicy = {
  name: "s3-bucket-versioned",
  description: "Every S3 bucket has versioning enabled.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const on = subresourcesOf(bucket, args.resources, [
        TYPES.bucketVersioning,
        TYPES.bucketVersioningV2,
      ]).some((v) => get(v.props, "versioningConfiguration.status") === "Enabled");
      if (!on)
        reportViolation(`bucket ${bucket.name} has no BucketVersioning with status Enabled.`, bucket.urn);
    }
  },
};
