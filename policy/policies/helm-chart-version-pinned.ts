import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { TYPES } from "../lib/resources";

/** An exact semantic version (an optional leading `v`, as cert-manager's charts use). */
export const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export const helmChartVersionPinned: ResourceValidationPolicy = {
  name: "helm-chart-version-pinned",
  description: "Every Helm release pins its chart to an exact version.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.release) args.notApplicable("not a Helm release");
    const version = args.props.version;
    if (typeof version !== "string" || !EXACT_SEMVER.test(version)) {
      reportViolation(
        `chart ${String(args.props.chart)} version ${JSON.stringify(version)} is not an exact version.`,
      );
    }
  },
};
