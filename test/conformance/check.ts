// One entry point over everything a stack registers: Helm releases get the chart checks,
// custom resources the CRD/model checks. Built-in Kubernetes kinds are the provider's business
// (its own schema); other types (random, tls, aws, components) are not Kubernetes objects.
import { customResourceProblems } from "./crds";
import { helmReleaseProblems } from "./helm-values";
import { Registered } from "./types";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** API groups served by Kubernetes itself; `core` is how Pulumi spells the legacy "" group. */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  "core",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

/** Kubernetes provider types that carry objects the suite cannot see offline, with the reason. */
export const UNCHECKABLE: Readonly<Record<string, string>> = {
  "kubernetes:helm.sh/v3:Chart": "renders templates client-side; use helm.v3.Release so values are checked",
  "kubernetes:helm.sh/v4:Chart": "renders templates client-side; use helm.v3.Release so values are checked",
  "kubernetes:yaml:ConfigFile": "objects come from a file at run time; register them as resources",
  "kubernetes:yaml:ConfigGroup": "objects come from files at run time; register them as resources",
  "kubernetes:yaml/v2:ConfigFile": "objects come from a file at run time; register them as resources",
  "kubernetes:yaml/v2:ConfigGroup": "objects come from files at run time; register them as resources",
  "kubernetes:kustomize:Directory": "objects come from kustomize at run time",
  "kubernetes:kustomize/v2:Directory": "objects come from kustomize at run time",
};

/** Every conformance problem across the registered resources, each naming the resource. */
export function conformanceProblems(resources: readonly Registered[]): string[] {
  const problems: string[] = [];
  for (const r of resources) {
    const where = `${r.type} "${r.name}"`;
    if (r.type === RELEASE) {
      problems.push(...helmReleaseProblems(r.inputs).map((p) => `${where}: ${p}`));
      continue;
    }
    if (UNCHECKABLE[r.type]) {
      problems.push(`${where}: not checkable offline: ${UNCHECKABLE[r.type]}`);
      continue;
    }
    // kubernetes:<group>/<version>:<Kind>; the provider resource itself is pulumi:providers:*.
    const match = /^kubernetes:([^:/]+)\/([^:/]+):([^:]+)$/.exec(r.type);
    if (!match || BUILT_IN_GROUPS.has(match[1]) || match[1] === "helm.sh") continue;
    // Kind lists (e.g. ServiceMonitorList) never reach here: the SDK registers items singly.
    // The token carries apiVersion and kind; inputs normally repeat them, and win if they differ.
    const obj = { apiVersion: `${match[1]}/${match[2]}`, kind: match[3], ...r.inputs };
    problems.push(...customResourceProblems(obj).map((p) => `${where}: ${p}`));
  }
  return problems;
}
