import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { TYPES } from "../lib/resources";

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "KMS keys that encrypt DR data rotate automatically.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.kmsKey) args.notApplicable("not a KMS key");
    if (args.props.enableKeyRotation !== true)
      reportViolation(`KMS key ${args.name} does not set enableKeyRotation: true.`);
  },
};
