import type { StackValidationPolicy } from "@pulumi/policy";
import { get, isReleaseOf, releaseValues } from "../lib/resources";
import { detectTopology } from "../lib/topology";

const VERIFYING = ["verify-ca", "verify-full"];

export const harborDatabaseTls: StackValidationPolicy = {
  name: "harbor-database-tls",
  description: "Harbor's database connection verifies the server certificate (verify-full in prod).",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  validateStack: (args, reportViolation) => {
    const prod = detectTopology(args.resources) === "prod";
    for (const r of args.resources.filter((x) => isReleaseOf(x, "harbor"))) {
      const db = get(releaseValues(r.props), "database");
      if (get(db, "type") !== "external") {
        // The chart's internal database talks plain TCP inside the namespace: dev only.
        if (prod)
          reportViolation(
            "prod Harbor must use an external database reached with sslmode verify-full.",
            r.urn,
          );
        continue;
      }
      const mode = get(db, "external.sslmode");
      if (prod && mode !== "verify-full") {
        reportViolation(
          `database.external.sslmode is ${JSON.stringify(mode)}; prod requires verify-full.`,
          r.urn,
        );
      } else if (!prod && !VERIFYING.includes(String(mode))) {
        reportViolation(
          `database.external.sslmode is ${JSON.stringify(mode)}; use verify-ca or verify-full.`,
          r.urn,
        );
      }
    }
  },
};
