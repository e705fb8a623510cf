import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { AlertingConfig } from "../../config/observability";
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
