// Pure builders for the monitors no chart provides, and the chart switches that turn on the
// charts' own ServiceMonitors/PodMonitors/exporters (the lead merges these into each chart's values).
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { RuleGroup } from "./rules";

export type Labels = Readonly<Record<string, string>>;

/** redis_exporter release the redis-ha 4.39.0 chart pins (exporter.tag). */
export const REDIS_EXPORTER_IMAGE = "quay.io/oliver006/redis_exporter:v1.86.0";
export const SENTINEL_EXPORTER_PORT = 9122;
export const SENTINEL_EXPORTER_PORT_NAME = "sentinel-exp";

/** CloudNativePG instances serve metrics on port `metrics` (9187); the Cluster's own PodMonitor switch is deprecated. */
export function cnpgClusterPodMonitor(namespace: string, cluster: string, labels: Labels = {}): PodMonitor {
  return new PodMonitor({
    metadata: { name: `${cluster}-instances`, namespace, labels: { ...labels } },
    spec: {
      selector: { matchLabels: { "cnpg.io/cluster": cluster, "cnpg.io/podRole": "instance" } },
      podMetricsEndpoints: [{ port: "metrics" }],
    },
  });
}

/** rclone serves --metrics-addr only while a mirror run lasts; staleness alerts use kube-state-metrics. */
export function drMirrorPodMonitor(
  namespace: string,
  podLabels: Labels,
  port: string,
  labels: Labels = {},
): PodMonitor {
  return new PodMonitor({
    metadata: { name: "dr-mirror", namespace, labels: { ...labels } },
    spec: { selector: { matchLabels: { ...podLabels } }, podMetricsEndpoints: [{ port, interval: "15s" }] },
  });
}

/** Sentinel metrics need an exporter pointed at the sentinel port: a second sidecar (extraContainers). */
export function sentinelExporterPodMonitor(
  namespace: string,
  podLabels: Labels,
  labels: Labels = {},
): PodMonitor {
  return new PodMonitor({
    metadata: { name: "redis-sentinel", namespace, labels: { ...labels } },
    spec: {
      selector: { matchLabels: { ...podLabels } },
      podMetricsEndpoints: [{ port: SENTINEL_EXPORTER_PORT_NAME }],
    },
  });
}

export function prometheusRule(
  namespace: string,
  groups: readonly RuleGroup[],
  labels: Labels = {},
): PrometheusRule {
  return new PrometheusRule({
    metadata: { name: "harbor-platform", namespace, labels: { ...labels } },
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
  });
}

/** Values fragments turning on each chart's own metrics and monitors (paths exist in the pinned values.yaml). */
export const chartMonitoringValues = {
  harbor: (labels: Labels = {}) => ({
    metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: { ...labels } } },
  }),
  cloudnativePg: (labels: Labels = {}) => ({
    monitoring: { podMonitorEnabled: true, podMonitorAdditionalLabels: { ...labels } },
  }),
  redisHa: (labels: Labels = {}) => ({
    exporter: { enabled: true, serviceMonitor: { enabled: true, labels: { ...labels } } },
    extraContainers: [
      {
        name: "sentinel-exporter",
        image: REDIS_EXPORTER_IMAGE,
        args: [`--web.listen-address=:${SENTINEL_EXPORTER_PORT}`],
        // Sentinels run without a password (Harbor cannot authenticate to them).
        env: [{ name: "REDIS_ADDR", value: "redis://localhost:26379" }],
        ports: [{ name: SENTINEL_EXPORTER_PORT_NAME, containerPort: SENTINEL_EXPORTER_PORT }],
        securityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
      },
    ],
  }),
  minio: (labels: Labels = {}) => ({
    metrics: { serviceMonitor: { enabled: true, public: true, additionalLabels: { ...labels } } },
  }),
  velero: (labels: Labels = {}) => ({
    metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: { ...labels } } },
  }),
};
