// Value paths a chart documents only as a commented-out example in its values.yaml (so the key
// is absent from the parsed defaults) yet its templates read. Policy: a path is admitted only
// with the values.yaml line of that comment and a one-line reason; the test suite checks that
// each line still is a `# <key>:` comment under the right parent, so a pin bump that moves or
// drops the example turns the entry red instead of leaving a stale exemption. An entry admits
// the path and everything below it (the examples are free-form blocks such as `resources`).
// Keys whose default is `{}`/null need no entry: they are free-form by rule.

export interface DocumentedPath {
  /** Dotted value path, e.g. `core.resources`. */
  path: string;
  /** 1-based line of the commented example in the pinned values.yaml. */
  line: number;
  why: string;
}

const RESOURCES = "commented `# resources:` example; templates render it with toYaml";

export const DOCUMENTED_PATHS: Readonly<Record<string, readonly DocumentedPath[]>> = {
  "fluent-bit-chart": [
    {
      path: "serviceMonitor.selector",
      line: 124,
      why: "commented example; servicemonitor.yaml renders it as the ServiceMonitor's labels",
    },
  ],
  "harbor-helm": [
    { path: "nginx.resources", line: 515, why: RESOURCES },
    { path: "portal.resources", line: 564, why: RESOURCES },
    { path: "core.resources", line: 644, why: RESOURCES },
    { path: "jobservice.resources", line: 734, why: RESOURCES },
    { path: "registry.registry.resources", line: 808, why: RESOURCES },
    { path: "registry.controller.resources", line: 831, why: RESOURCES },
    { path: "database.internal.resources", line: 1057, why: RESOURCES },
    { path: "redis.internal.resources", line: 1145, why: RESOURCES },
    { path: "exporter.resources", line: 1234, why: RESOURCES },
    {
      path: "core.podDisruptionBudget.maxUnavailable",
      line: 620,
      why: "commented alternative to minAvailable",
    },
    {
      path: "registry.podDisruptionBudget.maxUnavailable",
      line: 858,
      why: "commented alternative to minAvailable",
    },
    {
      path: "caBundleSecretName",
      line: 399,
      why: "commented top-level key; core, jobservice, registry, exporter mount its ca.crt",
    },
    {
      path: "persistence.imageChartStorage.s3.existingSecret",
      line: 230,
      why: "commented S3 key; registry-dpl.yaml reads the access keys from this Secret",
    },
    {
      path: "persistence.imageChartStorage.s3.regionendpoint",
      line: 235,
      why: "commented S3 driver option; the registry config renders it (MinIO/custom endpoints)",
    },
    {
      path: "persistence.imageChartStorage.s3.secure",
      line: 238,
      why: "commented S3 driver option, rendered only when true",
    },
    {
      path: "persistence.imageChartStorage.s3.v4auth",
      line: 240,
      why: "commented S3 driver option, rendered only when true",
    },
  ],
  "redis-ha-chart": [
    {
      path: "persistentVolume.storageClass",
      line: 905,
      why: "commented `# storageClass:` with its meaning above",
    },
  ],
  "velero-chart": [
    {
      path: "metrics.serviceMonitor.metricRelabelings",
      line: 284,
      why: "commented example, documented above",
    },
    { path: "metrics.serviceMonitor.relabelings", line: 286, why: "commented example, documented above" },
    {
      path: "metrics.serviceMonitor.namespace",
      line: 288,
      why: "commented; defaults to the Velero namespace",
    },
    { path: "metrics.serviceMonitor.scheme", line: 290, why: "commented; defaults to HTTP" },
    {
      path: "kubectl.image.tag",
      line: 364,
      why: "commented; label-namespace.yaml and cleanup-crds.yaml use it over the cluster's version",
    },
    {
      path: "metrics.prometheusRule.namespace",
      line: 316,
      why: "commented; defaults to the Velero namespace",
    },
  ],
  // cert-manager, cloudnative-pg, plugin-barman-cloud: their values.schema.json describes every
  // key. minio, fluent-bit: nothing the platform sets is comment-only so far.
};
