import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NamespaceQuota, NetworkPolicySettings, ProxyConfig } from "../../config";
import { elkDestination } from "../../config/proxy";
import type { LoggingConfig } from "../../config/observability";
import type { DashboardsConfig } from "../../config/schema/dashboards";
import { caBundleSecret, pinnedRelease } from "../k8s";
import type { Sources } from "../mirror";
import { PlatformNamespace } from "../namespace";
import { namespacePolicies, apiServerFlow, externalEgress, type Flow } from "../network-policy";
import { METRICS_PORT, credentialSecretData, fluentBitValues } from "./pipeline";

export * from "./pipeline";

export interface FluentBitArgs {
  readonly logging: LoggingConfig;
  readonly harborNamespace: string;
  /** The stack secret named by logging.credentialsSecret (config.requireSecret). */
  readonly credential: pulumi.Input<string>;
  readonly quota: NamespaceQuota;
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /** The chart's own Grafana dashboard, when dashboards are on. */
  readonly dashboards?: DashboardsConfig;
  /** Where the API server and the monitoring namespace are, for the namespace's NetworkPolicies. */
  readonly networkPolicy: NetworkPolicySettings;
  readonly provider?: k8s.Provider;
  /** The corporate proxy the ELK endpoint may be reached through. */
  readonly proxy?: ProxyConfig;
  /** Where the chart and images come from. */
  readonly sources: Sources;
  /** An air-gapped site's ranges: the ELK endpoint is within them. */
  readonly siteCidrs?: readonly string[];
}

/** Fluent Bit's traffic: the API server (metadata), the ELK endpoint, metrics scraping. */
export function loggingFlows(
  logging: LoggingConfig,
  net: NetworkPolicySettings,
  proxy?: ProxyConfig,
): Flow[] {
  return [
    apiServerFlow(net.apiServerCidrs),
    // The endpoint is a DNS name outside the cluster: its address is not known here.
    ...externalEgress(
      { internet: "to-elk", proxy: "to-proxy", internal: "to-elk" },
      undefined,
      [elkDestination(logging)],
      proxy,
    ),
    {
      name: "metrics-scrape",
      direction: "ingress",
      peers: [{ namespace: net.monitoringNamespace }],
      ports: [{ port: METRICS_PORT }],
    },
  ];
}

/** Fluent Bit on every node, shipping container logs to the configured ELK endpoint. */
export class FluentBit extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluentBitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:logging:FluentBit", name, {}, opts);
    const ns = args.logging.namespace;
    // hostPath volumes (container logs, buffer) need the privileged Pod Security level.
    const namespace = new PlatformNamespace(
      `${name}-ns`,
      { name: ns, podSecurity: "privileged", quota: args.quota, provider: args.provider },
      { parent: this },
    );
    namespacePolicies(
      `${name}-netpol`,
      {
        namespace,
        flows: loggingFlows(args.logging, args.networkPolicy, args.proxy),
        provider: args.provider,
        siteCidrs: args.siteCidrs,
      },
      { parent: this },
    );
    // The buffer lives on hostPath, not in PVCs: nothing here needs to wait for the quota.
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [namespace.namespace] };
    const secretName = `${name}-credentials`;
    const secret = new k8s.core.v1.Secret(
      secretName,
      {
        metadata: { name: secretName, namespace: ns },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi.output(args.credential).apply((v) => credentialSecretData(args.logging.auth, v)),
        ),
      },
      k8sOpts,
    );
    const caSecret = args.logging.caCert
      ? caBundleSecret(
          `${name}-elk-ca`,
          { name: `${name}-elk-ca`, namespace: ns, caPem: args.logging.caCert },
          k8sOpts,
        )
      : undefined;
    this.release = pinnedRelease(
      name,
      {
        name: "fluent-bit",
        namespace: ns,
        chart: "fluentBit",
        values: fluentBitValues({
          logging: args.logging,
          harborNamespace: args.harborNamespace,
          credentialsSecretName: secretName,
          serviceMonitorLabels: args.serviceMonitorLabels,
          ...(args.dashboards ? { dashboards: args.dashboards } : {}),
          ...(caSecret ? { caSecretName: `${name}-elk-ca` } : {}),
          ...(args.proxy ? { proxy: args.proxy } : {}),
        }),
        sources: args.sources,
      },
      { ...k8sOpts, dependsOn: [namespace.namespace, secret, ...(caSecret ? [caSecret] : [])] },
    );
    this.registerOutputs({ release: this.release.status });
  }
}
