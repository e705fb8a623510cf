// Operators the cluster already runs, shaped from `existingOperators`: which ones the program uses
// instead of installing, per topology. What only one topology can use is refused in the other with
// one line; prod's monitors and alerts need prometheus-operator, which the program never installs.
import type { Topology } from "./schema/define";
import { ConfigError } from "./validate";

export interface ExistingCertManager {
  /** Namespace cert-manager runs in: its cluster resource namespace, where ClusterIssuers read Secrets. */
  readonly namespace: string;
  /** ClusterIssuer of Harbor's public (dev: server) certificate; absent: the project's own issuers. */
  readonly clusterIssuer?: string;
}

export interface ExistingCloudNativePg {
  readonly namespace: string;
  /** The barman-cloud plugin is missing: the program installs it into the operator's namespace. */
  readonly installPlugin: boolean;
}

export interface ExistingOperators {
  readonly certManager?: ExistingCertManager;
  readonly cloudnativePg?: ExistingCloudNativePg;
  readonly velero?: { readonly namespace: string };
  /** prometheus-operator's CRDs are there (checked before anything is created). */
  readonly prometheusOperator: boolean;
}

export interface ExistingOperatorsInput {
  readonly certManager?: { readonly namespace?: string; readonly clusterIssuer?: string };
  readonly cloudnativePg?: {
    readonly namespace: string;
    readonly barmanCloudPlugin?: "existing" | "install";
  };
  readonly velero?: { readonly namespace: string };
  readonly prometheusOperator?: boolean;
}

const KEY = "existingOperators";

export function parseExistingOperators(
  input: ExistingOperatorsInput,
  topology: Topology,
  /** Namespaces the program creates itself: an operator living in one would collide with it. */
  ownNamespaces: readonly string[],
): ExistingOperators {
  if (topology === "dev") {
    if (input.cloudnativePg)
      throw new ConfigError(
        `${KEY}.cloudnativePg`,
        input.cloudnativePg,
        "only used by topology prod; dev runs the chart's internal database",
      );
    if (input.velero)
      throw new ConfigError(
        `${KEY}.velero`,
        input.velero,
        "only used by topology prod; dev has no backups to Velero",
      );
    if (input.certManager && input.certManager.clusterIssuer === undefined)
      throw new ConfigError(
        `${KEY}.certManager.clusterIssuer`,
        undefined,
        "required in dev: the ClusterIssuer that signs Harbor's server certificate (dev uses cert-manager for nothing else)",
      );
  }
  if (topology === "prod" && input.prometheusOperator === false)
    throw new ConfigError(
      `${KEY}.prometheusOperator`,
      false,
      "true in prod: its monitors and alerts are prometheus-operator resources (the program does not install it)",
    );
  const certManager = input.certManager && {
    namespace: input.certManager.namespace ?? "cert-manager",
    ...(input.certManager.clusterIssuer ? { clusterIssuer: input.certManager.clusterIssuer } : {}),
  };
  const cloudnativePg = input.cloudnativePg && {
    namespace: input.cloudnativePg.namespace,
    installPlugin: input.cloudnativePg.barmanCloudPlugin === "install",
  };
  for (const [field, ns] of [
    ["certManager", certManager?.namespace],
    ["cloudnativePg", cloudnativePg?.namespace],
    ["velero", input.velero?.namespace],
  ] as const)
    if (ns !== undefined && topology === "prod" && ownNamespaces.includes(ns))
      throw new ConfigError(
        `${KEY}.${field}.namespace`,
        ns,
        `the namespace the operator already runs in, not one this program creates (${ownNamespaces.join(", ")})`,
      );
  return {
    ...(certManager ? { certManager } : {}),
    ...(cloudnativePg ? { cloudnativePg } : {}),
    ...(input.velero ? { velero: { namespace: input.velero.namespace } } : {}),
    prometheusOperator: input.prometheusOperator ?? topology === "prod",
  };
}
