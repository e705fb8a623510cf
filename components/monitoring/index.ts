import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { AlertingConfig } from "../../config/observability";
import type { DashboardsConfig } from "../../config/schema/dashboards";
import { DASHBOARD_LABEL, grafanaDashboard, platformDashboards } from "./dashboards";
import type { RobotExpiry } from "../harbor-config/index";
import { robotExpiryRules } from "./robot-rules";
import {
  cnpgClusterPodMonitor,
  drMirrorPodMonitor,
  prometheusRule,
  sentinelExporterPodMonitor,
  type Labels,
} from "./monitors";
import { alertRules, type MonitoredParts } from "./rules";

export * from "./metrics";
export * from "./monitors";
export * from "./rules";
export * from "./dashboards";
export * from "./robot-rules";

export interface MonitoringArgs {
  readonly parts: MonitoredParts;
  readonly alerting: AlertingConfig;
  /** Where the PrometheusRule lives (usually Harbor's namespace). */
  readonly ruleNamespace: string;
  /** Labels the cluster's Prometheus selects monitors and rules by (e.g. harbor-platform/prometheus: kube-prometheus-stack). */
  readonly selectorLabels?: Labels;
  /** Pod labels of redis-ha's StatefulSet (app: redis-ha, release: <name>) when Redis is deployed. */
  readonly redisPodLabels?: Labels;
  /** Pod labels and metrics port name of the dr-mirror CronJob's pods. */
  readonly drMirrorPod?: { readonly labels: Labels; readonly port: string };
  /** Resources that install the monitoring CRDs' users (charts) to wait for. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly provider?: k8s.Provider;
}

/** Registers the PodMonitors no chart provides and the platform's PrometheusRule. */
export class Monitoring extends pulumi.ComponentResource {
  readonly objects: k8s.apiextensions.CustomResource[] = [];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:monitoring:Monitoring", name, {}, opts);
    const labels = args.selectorLabels ?? {};
    const cr = (resourceName: string, body: k8s.apiextensions.CustomResourceArgs) => {
      this.objects.push(
        new k8s.apiextensions.CustomResource(resourceName, body, {
          parent: this,
          provider: args.provider,
          dependsOn: args.dependsOn,
        }),
      );
    };
    const p = args.parts;
    if (p.database)
      cr(`${name}-cnpg`, cnpgClusterPodMonitor(p.database.namespace, p.database.cluster, labels));
    if (p.redis && args.redisPodLabels)
      cr(`${name}-sentinel`, sentinelExporterPodMonitor(p.redis.namespace, args.redisPodLabels, labels));
    if (p.minio?.drMirror && args.drMirrorPod)
      cr(
        `${name}-dr-mirror`,
        drMirrorPodMonitor(p.minio.namespace, args.drMirrorPod.labels, args.drMirrorPod.port, labels),
      );
    cr(`${name}-rules`, prometheusRule(args.ruleNamespace, alertRules(p, args.alerting), labels));
    this.registerOutputs({ count: this.objects.length });
  }
}

export interface DashboardsArgs {
  readonly parts: MonitoredParts;
  readonly config: DashboardsConfig;
  /** Namespace of the ConfigMap when config.namespace is unset. */
  readonly defaultNamespace: string;
  /** Harbor's hostname: told apart in titles and uids when one Grafana shows several installations. */
  readonly hostname: string;
  readonly drMirrorRpoMinutes: number;
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly provider?: k8s.Provider;
}

/** The ConfigMap's data: one compact dashboard JSON per part, `<file>.json`. */
export function dashboardsData(a: Omit<DashboardsArgs, "dependsOn" | "provider">): Record<string, string> {
  const tag = createHash("sha256").update(a.hostname).digest("hex").slice(0, 8);
  return Object.fromEntries(
    platformDashboards(a.parts, a.drMirrorRpoMinutes).map((d) => [
      `${d.file}.json`,
      JSON.stringify(grafanaDashboard(d, `hp-${d.file}-${tag}`, `${d.title} (${a.hostname})`)),
    ]),
  );
}

/** One ConfigMap with every dashboard of the topology, for the Grafana sidecar. */
export function dashboardsConfigMap(
  name: string,
  a: DashboardsArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: {
        name: "harbor-platform-dashboards",
        namespace: a.config.namespace ?? a.defaultNamespace,
        labels: { ...DASHBOARD_LABEL },
        annotations: { [a.config.folderAnnotation]: a.config.folder },
      },
      data: dashboardsData(a),
    },
    { ...opts, provider: a.provider, dependsOn: a.dependsOn },
  );
}

export interface RobotExpiryRuleArgs {
  readonly namespace: string;
  readonly expiries: pulumi.Output<Readonly<Record<string, RobotExpiry>>>;
  readonly alerting: AlertingConfig;
  readonly selectorLabels?: Labels;
  readonly provider?: k8s.Provider;
}

/**
 * The robots' expiry alerts, a PrometheusRule of its own: its content follows the robots'
 * `expires_at` from state, so a renewal rewrites it without touching the platform's rules.
 */
export function robotExpiryRule(
  name: string,
  a: RobotExpiryRuleArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  const rule = (expiries: Readonly<Record<string, RobotExpiry>>) => {
    const group = robotExpiryRules(expiries, a.alerting);
    return prometheusRule(a.namespace, group ? [group] : [], a.selectorLabels, "harbor-platform-robots");
  };
  const shape = rule({});
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: shape.apiVersion,
      kind: shape.kind,
      metadata: shape.metadata,
      spec: a.expiries.apply((e) => rule(e).spec),
    },
    { ...opts, provider: a.provider },
  );
}
