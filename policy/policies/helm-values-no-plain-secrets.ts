import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { asArray, chartName, get, isObj, isTrue, releaseValues, TYPES, type Obj } from "../lib/resources";

/**
 * Value paths per chart that carry a secret although the chart can read it from an existing
 * Secret instead. Harbor's `database.internal.password` and `trivy.gitHubToken` are
 * deliberately absent: the chart offers no existingSecret for them. `[]` marks a list whose items are checked.
 */
export const SECRET_PATHS: Readonly<Record<string, readonly string[]>> = {
  harbor: [
    "harborAdminPassword",
    "secretKey",
    "core.secret",
    "core.xsrfKey",
    "core.tokenKey",
    "jobservice.secret",
    "registry.secret",
    "registry.credentials.password",
    "registry.credentials.htpasswdString",
    "database.external.password",
    "redis.external.password",
    "persistence.imageChartStorage.s3.accesskey",
    "persistence.imageChartStorage.s3.secretkey",
  ],
  minio: ["rootPassword", "users[].secretKey"],
  velero: ["credentials.secretContents"],
  "fluent-bit": [],
};

/**
 * Secret value paths per chart that the chart offers no existingSecret for, so they are given
 * inline (as a secret leaf). A generated one is unknown in a first preview.
 */
export const INLINE_SECRET_PATHS: Readonly<Record<string, readonly string[]>> = {
  harbor: ["database.internal.password", "trivy.gitHubToken"],
};

/** Literal secrets in `values` for `chart`, as the paths that hold them. */
export function plainSecrets(chart: string, values: Obj): string[] {
  const found: string[] = [];
  for (const path of SECRET_PATHS[chart] ?? []) {
    const [list, item] = path.split("[].");
    if (item !== undefined) {
      asArray(get(values, list)).forEach((entry, i) => {
        if (isLiteral(get(entry, item))) found.push(`${list}[${i}].${item}`);
      });
    } else if (isLiteral(get(values, path))) {
      found.push(path);
    }
  }
  if (chart === "redis-ha" && isTrue(get(values, "auth")) && isLiteral(get(values, "redisPassword"))) {
    found.push("redisPassword");
  }
  return found;
}

function isLiteral(v: unknown): boolean {
  if (typeof v === "string") return v.length > 0;
  return isObj(v) && Object.keys(v).length > 0;
}

export const helmValuesNoPlainSecrets: ResourceValidationPolicy = {
  name: "helm-values-no-plain-secrets",
  description: "Secrets are never plain Helm values where the chart can read them from an existing Secret.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.release) args.notApplicable("not a Helm release");
    const chart = chartName(args.props) ?? "";
    for (const path of plainSecrets(chart, releaseValues(args.props))) {
      reportViolation(`${chart}: ${path} is a literal secret; use the chart's existingSecret for it.`);
    }
  },
};
