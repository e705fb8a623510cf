import type { StackValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { BUCKET_TYPES, TYPES, subresourcesOf } from "../lib/resources";

const BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3BucketNotPublic: StackValidationPolicy = {
  name: "s3-bucket-not-public",
  description: "Every S3 bucket blocks all public access and has no public ACL.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const acl = bucket.props.acl;
      if (typeof acl === "string" && acl.startsWith("public-")) {
        reportViolation(`bucket ${bucket.name} has ACL ${acl}.`, bucket.urn);
      }
      const blocks = subresourcesOf(bucket, args.resources, [TYPES.bucketPublicAccessBlock]);
      if (!blocks.some((b) => BLOCKS.every((k) => b.props[k] === true))) {
        reportViolation(
          `bucket ${bucket.name} has no BucketPublicAccessBlock with ${BLOCKS.join(", ")} all true.`,
          bucket.urn,
        );
      }
    }
  },
};
