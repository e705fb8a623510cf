import type { StackValidationPolicy } from "@pulumi/policy";
import { asSystemSettings, isFiniteQuota, managesHarborConfig } from "../lib/harbor-resources";

export const harborDefaultQuota: StackValidationPolicy = {
  name: "harbor-default-quota",
  description: "Harbor's system settings set a finite default storage quota for new projects.",
  enforcementLevel: "mandatory",
  tags: ["quota"],
  validateStack: (args, reportViolation) => {
    if (!managesHarborConfig(args.resources))
      args.notApplicable("the stack does not manage Harbor's configuration");
    const settings = args.resources.flatMap((r) => {
      const s = asSystemSettings(r);
      return s ? [{ r, s }] : [];
    });
    if (settings.length === 0)
      reportViolation("no Harbor system settings resource sets the default project quota.");
    for (const { r, s } of settings) {
      if (!isFiniteQuota(s.storagePerProject)) {
        reportViolation(
          `default project quota is ${JSON.stringify(s.storagePerProject)}; set a positive number of bytes (-1 is unlimited).`,
          r.urn,
        );
      }
    }
  },
};
