// Pure builders for the monitors no chart provides, and the chart switches that turn on the
// charts' own ServiceMonitors/PodMonitors/exporters (the lead merges these into each chart's values).
// Types only: the model classes pull in their JSON-schema validators, which the program does not
// need at run time; the conformance suite validates these objects with them.
import type { IPodMonitor as PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { IPrometheusRule as PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { RuleGroup } from "./rules";

import { SENTINEL_EXPORTER_PORT_NAME, type Labels } from "./chart-values";

export * from "./chart-values";

const API_VERSION = "monitoring.coreos.com/v1";
const POD_MONITOR = { apiVersion: API_VERSION, kind: "PodMonitor" } as const;

/** CloudNativePG instances serve metrics on port `metrics` (9187); the Cluster's own PodMonitor switch is deprecated. */
export function cnpgClusterPodMonitor(namespace: string, cluster: string, labels: Labels = {}): PodMonitor {
  return {
    ...POD_MONITOR,
    metadata: { name: `${cluster}-instances`, namespace, labels: { ...labels } },
    spec: {
      selector: { matchLabels: { "cnpg.io/cluster": cluster, "cnpg.io/podRole": "instance" } },
      podMetricsEndpoints: [{ port: "metrics" }],
    },
  };
}

/** rclone serves --metrics-addr only while a mirror run lasts; staleness alerts use kube-state-metrics. */
export function drMirrorPodMonitor(
  namespace: string,
  podLabels: Labels,
  port: string,
  labels: Labels = {},
): PodMonitor {
  return {
    ...POD_MONITOR,
    metadata: { name: "dr-mirror", namespace, labels: { ...labels } },
    spec: { selector: { matchLabels: { ...podLabels } }, podMetricsEndpoints: [{ port, interval: "15s" }] },
  };
}

/** Sentinel metrics need an exporter pointed at the sentinel port: a second sidecar (extraContainers). */
export function sentinelExporterPodMonitor(
  namespace: string,
  podLabels: Labels,
  labels: Labels = {},
): PodMonitor {
  return {
    ...POD_MONITOR,
    metadata: { name: "redis-sentinel", namespace, labels: { ...labels } },
    spec: {
      selector: { matchLabels: { ...podLabels } },
      podMetricsEndpoints: [{ port: SENTINEL_EXPORTER_PORT_NAME }],
    },
  };
}

export function prometheusRule(
  namespace: string,
  groups: readonly RuleGroup[],
  labels: Labels = {},
  name = "harbor-platform",
): PrometheusRule {
  return {
    apiVersion: API_VERSION,
    kind: "PrometheusRule",
    metadata: { name, namespace, labels: { ...labels } },
    spec: {
      groups: groups.map((g) => ({
        name: g.name,
        rules: g.rules.map((r) => ({
          alert: r.alert,
          expr: r.expr,
          for: r.for,
          labels: { ...r.labels },
          annotations: { ...r.annotations },
        })),
      })),
    },
  };
}
