import type { ResourceValidationPolicy } from "@pulumi/policy";
import { goDurationSeconds } from "../concepts/duration";
import { TYPES, asArray, get, isTrue } from "../lib/resources";

/** Hours in cert-manager's `duration` (a Go duration such as `2160h0m0s`); undefined when Go would refuse it. */
function hoursOf(text: string): number | undefined {
  const seconds = goDurationSeconds(text);
  return seconds === undefined ? undefined : seconds / 3600;
}

interface Limits {
  maxLeafDays: number;
  maxCaDays: number;
}

/** The policy's default limits, which the stack config's validity keys stay within. */
export const CERTIFICATE_LIMITS: Readonly<Limits> = { maxLeafDays: 825, maxCaDays: 3653 };

export const certificateLifetime: ResourceValidationPolicy = {
  name: "certificate-lifetime",
  description:
    "Certificates have bounded lifetimes: TLS leaves at most 825 days, CAs and signing certificates at most ten years.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  configSchema: {
    properties: {
      maxLeafDays: { type: "integer", default: CERTIFICATE_LIMITS.maxLeafDays },
      // Ten years plus leap days: the project's CA default of 3650 days fits.
      maxCaDays: { type: "integer", default: CERTIFICATE_LIMITS.maxCaDays },
    },
  },
  validateResource: (args, reportViolation) => {
    const { maxLeafDays, maxCaDays } = args.getConfig<Limits>();
    const check = (hours: number | undefined, tlsLeaf: boolean, what: string) => {
      const max = tlsLeaf ? maxLeafDays : maxCaDays;
      if (hours === undefined || !(hours > 0)) {
        reportViolation(`${what} has no readable lifetime.`);
      } else if (hours > max * 24) {
        reportViolation(`${what} is valid for ${Math.round(hours / 24)} days; at most ${max} allowed.`);
      }
    };
    if (args.type === TYPES.selfSignedCert || args.type === TYPES.locallySignedCert) {
      const uses = asArray(args.props.allowedUses).map(String);
      const ca = isTrue(args.props.isCaCertificate);
      const leaf = !ca && (uses.includes("server_auth") || uses.includes("client_auth"));
      const hours = args.props.validityPeriodHours;
      check(
        typeof hours === "number" ? hours : undefined,
        leaf,
        `${ca ? "CA" : leaf ? "TLS" : "signing"} certificate`,
      );
      return;
    }
    if (args.type === TYPES.certificate) {
      const spec = get(args.props, "spec");
      const duration = get(spec, "duration");
      const ca = isTrue(get(spec, "isCA"));
      // Without spec.duration cert-manager issues for 90 days.
      const hours =
        duration === undefined ? 90 * 24 : typeof duration === "string" ? hoursOf(duration) : undefined;
      check(hours, !ca, `cert-manager ${ca ? "CA " : ""}Certificate`);
      return;
    }
    args.notApplicable("not a certificate");
  },
};
