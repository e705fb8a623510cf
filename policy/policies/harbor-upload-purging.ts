import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isFalse, isReleaseOf, isTrue, releaseValues } from "../lib/resources";

export const harborUploadPurging: ResourceValidationPolicy = {
  name: "harbor-upload-purging",
  description: "Harbor's registry purges abandoned uploads for real (upload purging on, not a dry run).",
  enforcementLevel: "mandatory",
  tags: ["gc"],
  validateResource: (args, reportViolation) => {
    if (!isReleaseOf(args, "harbor")) args.notApplicable("not a Harbor release");
    const purging = get(releaseValues(args.props), "registry.upload_purging");
    // The chart's default is enabled, not a dry run; only an explicit opt-out is a violation.
    if (isFalse(get(purging, "enabled"))) reportViolation("registry.upload_purging.enabled is false.");
    if (isTrue(get(purging, "dryrun")))
      reportViolation("registry.upload_purging.dryrun is true: nothing is purged.");
  },
};
