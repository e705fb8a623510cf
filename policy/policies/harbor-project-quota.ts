import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asProject, isFiniteQuota } from "../lib/harbor-resources";

export const harborProjectQuota: ResourceValidationPolicy = {
  name: "harbor-project-quota",
  description: "Every Harbor project has a finite storage quota.",
  enforcementLevel: "mandatory",
  tags: ["quota"],
  validateResource: (args, reportViolation) => {
    const project = asProject(args);
    if (!project) return args.notApplicable("not a Harbor project");
    if (!isFiniteQuota(project.storageLimit)) {
      reportViolation(
        `project ${args.name} has storage limit ${JSON.stringify(project.storageLimit)}; set a positive number of bytes (-1 is unlimited).`,
      );
    }
  },
};
