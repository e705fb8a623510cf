import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES, get, isFalse, isReleaseOf, releaseValues } from "../lib/resources";

export const harborTlsExposure: ResourceValidationPolicy = {
  name: "harbor-tls-exposure",
  description: "Harbor is exposed only over TLS with a certificate and an https external URL.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  validateResource: (args, reportViolation) => {
    if (!isReleaseOf(args, "harbor")) args.notApplicable(`not a ${TYPES.release} of chart harbor`);
    const v = releaseValues(args.props);
    if (isFalse(get(v, "expose.tls.enabled")))
      reportViolation("expose.tls.enabled is false: Harbor would serve plain HTTP.");
    if (get(v, "expose.tls.certSource") === "none") {
      reportViolation(
        "expose.tls.certSource is none: TLS must terminate at Harbor's ingress/gateway with a certificate.",
      );
    }
    const url = get(v, "externalURL");
    if (typeof url !== "string" || !url.startsWith("https://")) {
      reportViolation(`externalURL ${JSON.stringify(url)} is not an https:// URL.`);
    }
  },
};
