import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/resources";

const CURVES = ["P256", "P384", "P521"];

export const tlsKeyStrength: ResourceValidationPolicy = {
  name: "tls-key-strength",
  description: "Private keys are RSA of at least 2048 bits, ECDSA on P-256 or stronger, or Ed25519.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  configSchema: { properties: { minRsaBits: { type: "integer", default: 2048 } } },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.privateKey) args.notApplicable("not a tls PrivateKey");
    const { minRsaBits } = args.getConfig<{ minRsaBits: number }>();
    const algorithm = args.props.algorithm;
    if (algorithm === "RSA") {
      // The tls provider defaults rsaBits to 2048.
      const bits = Number(args.props.rsaBits ?? 2048);
      if (bits < minRsaBits) reportViolation(`RSA key of ${bits} bits; at least ${minRsaBits} required.`);
    } else if (algorithm === "ECDSA") {
      // The tls provider defaults ecdsaCurve to P224, which is too weak.
      const curve = String(args.props.ecdsaCurve ?? "P224");
      if (!CURVES.includes(curve)) reportViolation(`ECDSA curve ${curve}; use one of ${CURVES.join(", ")}.`);
    } else if (algorithm !== "ED25519") {
      reportViolation(`unknown key algorithm ${JSON.stringify(algorithm)}.`);
    }
  },
};
