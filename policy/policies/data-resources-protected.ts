import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { TYPES } from "../lib/resources";

/** Resources whose deletion loses data: volumes, databases, buckets and the keys that decrypt them. */
export const DATA_BEARING: readonly string[] = [
  TYPES.pvc,
  TYPES.cnpgCluster,
  TYPES.bucket,
  TYPES.bucketV2,
  TYPES.kmsKey,
];

export const dataResourcesProtected: ResourceValidationPolicy = {
  name: "data-resources-protected",
  description: "Data-bearing resources (volumes, databases, buckets, KMS keys) are protected from deletion.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateResource: (args, reportViolation) => {
    if (!DATA_BEARING.includes(args.type)) args.notApplicable("not a data-bearing resource");
    if (!args.opts.protect)
      reportViolation(`${args.type} ${args.name} is not protected (set protect: true).`);
  },
};
