import type { StackValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { BUCKET_TYPES, TYPES, asArray, get, subresourcesOf } from "../lib/resources";

const ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

export const s3BucketEncrypted: StackValidationPolicy = {
  name: "s3-bucket-encrypted",
  description: "Every S3 bucket encrypts objects by default on the server side.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const encrypted = subresourcesOf(bucket, args.resources, [TYPES.bucketSse, TYPES.bucketSseV2])
        .flatMap((c) => asArray(c.props.rules))
        .some((rule) =>
          ALGORITHMS.includes(String(get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"))),
        );
      if (!encrypted) {
        reportViolation(
          `bucket ${bucket.name} has no default server-side encryption (${ALGORITHMS.join(", ")}).`,
          bucket.urn,
        );
      }
    }
  },
};
