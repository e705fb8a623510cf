// Restarts on Secret changes through stakater/Reloader (a cluster prerequisite, docs/prerequisites.md).
// No SDK import: the pure chart-value builders use it.

/**
 * stakater/Reloader restarts a workload when one of the named Secrets changes (a cert-manager
 * renewal). Explicit names, not `reloader.stakater.com/auto`: a chart upgrade that rewrites the
 * workload's own ConfigMaps does not trigger a second rollout. Reloader reads the annotation on
 * the workload and, when absent there, on its pod template (pkg/common/common.go ShouldReload).
 */
export const RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload";

export function reloadOnSecrets(secretNames: readonly string[]): Record<string, string> {
  return { [RELOADER_SECRET_ANNOTATION]: [...secretNames].sort().join(",") };
}
