import type { StackValidationPolicy } from "@pulumi/policy";
import { get, isReleaseOf, isTrue, releaseValues } from "../lib/resources";
import { detectTopology } from "../lib/topology";

export const harborInternalTls: StackValidationPolicy = {
  name: "harbor-internal-tls",
  description: "In prod, Harbor's components talk to each other over internal TLS.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  validateStack: (args, reportViolation) => {
    if (detectTopology(args.resources) !== "prod")
      args.notApplicable("internal TLS is required in prod only");
    for (const r of args.resources.filter((x) => isReleaseOf(x, "harbor"))) {
      if (!isTrue(get(releaseValues(r.props), "internalTLS.enabled"))) {
        reportViolation("internalTLS.enabled is not true in a prod Harbor release.", r.urn);
      }
    }
  },
};
