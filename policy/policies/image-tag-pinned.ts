import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_SAFETY_TAG } from "../lib/engine";
import { TYPES, chartName, isObj, isUnknownAt, releaseValues } from "../lib/resources";
import { INLINE_SECRET_PATHS, SECRET_PATHS } from "./helm-values-no-plain-secrets";

/**
 * Problems with image references in Helm values: `latest` tags, or a repository override
 * without a tag. `credentials` are value paths (`[]` for any list index) known to hold a
 * credential, never an image: unknown there (a first preview), they are skipped unread.
 */
export function imageTagProblems(values: unknown, path = "", credentials: readonly string[] = []): string[] {
  if (Array.isArray(values))
    return values.flatMap((v, i) => imageTagProblems(v, `${path}[${i}]`, credentials));
  if (!isObj(values)) return [];
  const out: string[] = [];
  const here = (k: string) => (path ? `${path}.${k}` : k);
  if ("tag" in values) {
    const tag = values.tag;
    if (typeof tag === "string" && /(^|:)latest$/i.test(tag.trim())) out.push(`${here("tag")} is latest`);
    if ("repository" in values && (tag === "" || tag === null))
      out.push(`${here("tag")} is empty next to a repository override`);
  }
  for (const key of ["image", "repository"]) {
    const ref = values[key];
    // A full reference such as `repo/name:latest` or `repo/name` in one string.
    if (typeof ref === "string" && /:latest$/i.test(ref.trim())) out.push(`${here(key)} is ${ref}`);
  }
  for (const k of Object.keys(values)) {
    const skip = isUnknownAt(values, k) && credentials.includes(here(k).replace(/\[\d+\]/g, "[]"));
    if (!skip) out.push(...imageTagProblems(values[k], here(k), credentials));
  }
  return out;
}

export const imageTagPinned: ResourceValidationPolicy = {
  name: "image-tag-pinned",
  description:
    "Image tags in Helm values are pinned: never latest, never empty where a repository is overridden.",
  enforcementLevel: "mandatory",
  tags: [DATA_SAFETY_TAG],
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.release) args.notApplicable("not a Helm release");
    const chart = chartName(args.props) ?? "";
    const credentials = [...(SECRET_PATHS[chart] ?? []), ...(INLINE_SECRET_PATHS[chart] ?? [])];
    for (const p of imageTagProblems(releaseValues(args.props), "", credentials))
      reportViolation(`${String(args.props.chart)}: ${p}.`);
  },
};
