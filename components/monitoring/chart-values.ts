// The chart switches that turn on the charts' own ServiceMonitors/PodMonitors/exporters,
// merged into each chart's values by its component. No model imports here: the components
// that set chart values stay light.
import { images } from "../../versions";
import { PUBLIC_SOURCES, type ImageSource } from "../mirror";

export type Labels = Readonly<Record<string, string>>;

/** redis-ha's exporter sidecar port (its chart default, set explicitly so the NetworkPolicy follows it). */
export const REDIS_EXPORTER_PORT = 9121;
export const SENTINEL_EXPORTER_PORT = 9122;
export const SENTINEL_EXPORTER_PORT_NAME = "sentinel-exp";

/** Values fragments turning on each chart's own metrics and monitors (paths exist in the pinned values.yaml). */
export const chartMonitoringValues = {
  harbor: (labels: Labels = {}) => ({
    metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: { ...labels } } },
  }),
  cloudnativePg: (labels: Labels = {}) => ({
    monitoring: { podMonitorEnabled: true, podMonitorAdditionalLabels: { ...labels } },
  }),
  redisHa: (labels: Labels = {}, source: ImageSource = PUBLIC_SOURCES.images) => ({
    exporter: {
      enabled: true,
      port: REDIS_EXPORTER_PORT,
      serviceMonitor: { enabled: true, labels: { ...labels } },
    },
    extraContainers: [
      {
        name: "sentinel-exporter",
        image: source.ref(images.redisExporter),
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
  // One ServiceMonitor for the controller, webhook and cainjector; its PodMonitor switch must
  // stay off (the chart fails the render with both).
  certManager: (labels: Labels = {}) => ({
    prometheus: { enabled: true, servicemonitor: { enabled: true, labels: { ...labels } } },
  }),
  velero: (labels: Labels = {}) => ({
    metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: { ...labels } } },
  }),
};
