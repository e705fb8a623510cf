// The metric names each deployed component really exports at the pinned versions, with the
// upstream file checked. Every alert and dashboard expression may only use names from this
// table (tested).

export interface ExportedMetrics {
  readonly source: string;
  readonly metrics: readonly string[];
}

export const EXPORTED_METRICS = {
  prometheus: {
    source:
      "Prometheus: synthetic per-target series `up` written on every scrape (the cluster's own: no version pinned here)",
    metrics: ["up"],
  },
  harborExporter: {
    source:
      "goharbor/harbor v2.15.2 src/pkg/exporter/{health,js,project,statistics,system}_collector.go (namespace harbor)",
    metrics: [
      "harbor_health",
      "harbor_up",
      "harbor_task_queue_size",
      "harbor_task_queue_latency",
      "harbor_task_concurrency",
      "harbor_task_scheduled_total",
      "harbor_project_quota_usage_byte",
      "harbor_project_quota_byte",
      "harbor_statistics_total_storage_consumption",
      "harbor_statistics_total_project_amount",
      "harbor_statistics_total_repo_amount",
      "harbor_project_total",
      "harbor_project_repo_total",
      "harbor_project_artifact_total",
      "harbor_artifact_pulled",
      "harbor_system_info",
    ],
  },
  harborCore: {
    source:
      "goharbor/harbor v2.15.2 src/lib/metric/collector.go; harbor-helm templates/core/core-cm.yaml METRIC_NAMESPACE=harbor, METRIC_SUBSYSTEM=core",
    metrics: [
      "harbor_core_http_request_total",
      "harbor_core_http_request_duration_seconds",
      "harbor_core_http_inflight_requests",
    ],
  },
  harborJobservice: {
    source:
      "goharbor/harbor v2.15.2 src/lib/metric/jobservice.go (labels type, status=success|fail|stop set in src/jobservice/runner/redis.go); " +
      "METRIC_SUBSYSTEM=jobservice; src/lib/metric/server.go serves promhttp.Handler() (default registry: process collector)",
    metrics: [
      "harbor_jobservice_info",
      "harbor_jobservice_task_total",
      "harbor_jobservice_task_process_time_seconds",
      "process_start_time_seconds",
    ],
  },
  cloudnativePg: {
    source:
      "cloudnative-pg chart 0.29.0 values.yaml monitoringQueriesConfigMap (cnpg_<query>_<column>); operator 1.30 pkg/management/postgres/webserver/metricserver (cnpg_collector_up)",
    metrics: [
      "cnpg_collector_up",
      "cnpg_backends_total",
      "cnpg_backends_waiting_total",
      "cnpg_pg_database_size_bytes",
      "cnpg_pg_stat_database_xact_commit",
      "cnpg_pg_stat_database_xact_rollback",
      "cnpg_pg_stat_database_deadlocks",
      "cnpg_pg_stat_archiver_archived_count",
      "cnpg_pg_replication_is_wal_receiver_up",
      "cnpg_pg_replication_lag",
      "cnpg_pg_replication_in_recovery",
      "cnpg_pg_replication_streaming_replicas",
      "cnpg_pg_stat_archiver_failed_count",
      "cnpg_pg_stat_archiver_seconds_since_last_archival",
    ],
  },
  barmanCloudPlugin: {
    source:
      "cloudnative-pg/plugin-barman-cloud v0.13.0 (chart 0.7.0's appVersion) internal/cnpgi/instance/metrics.go (domain barman-cloud.cloudnative-pg.io, served by the instance's /metrics)",
    metrics: [
      "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
      "barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp",
      "barman_cloud_cloudnative_pg_io_first_recoverability_point",
    ],
  },
  minio: {
    source:
      "minio/minio RELEASE.2024-12-18T13-15-44Z cmd/metrics-v2.go, /minio/v2/metrics/cluster (its init(): the cluster groups plus the peer groups, getHTTPMetrics among them)",
    metrics: [
      "minio_cluster_capacity_usable_total_bytes",
      "minio_cluster_capacity_usable_free_bytes",
      "minio_cluster_drive_offline_total",
      "minio_cluster_drive_online_total",
      "minio_cluster_nodes_offline_total",
      "minio_cluster_nodes_online_total",
      "minio_cluster_health_status",
      "minio_cluster_usage_total_bytes",
      "minio_cluster_usage_object_total",
      "minio_s3_requests_total",
      "minio_s3_requests_errors_total",
      "minio_s3_traffic_received_bytes",
      "minio_s3_traffic_sent_bytes",
    ],
  },
  redisExporter: {
    source:
      "oliver006/redis_exporter v1.86.0 (redis-ha 4.39.0 exporter.tag) exporter/exporter.go, exporter/info.go and exporter/sentinels.go (namespace redis)",
    metrics: [
      "redis_up",
      "redis_instance_info",
      "redis_connected_slaves",
      "redis_connected_clients",
      "redis_memory_used_bytes",
      "redis_commands_processed_total",
      "redis_sentinel_master_status",
      "redis_sentinel_master_ckquorum_status",
      "redis_sentinel_master_ok_sentinels",
      "redis_sentinel_master_setting_ckquorum",
    ],
  },
  velero: {
    source: "vmware-tanzu/velero v1.18.1 pkg/metrics/metrics.go (namespace velero)",
    metrics: [
      "velero_backup_failure_total",
      "velero_backup_partial_failure_total",
      "velero_backup_last_status",
      "velero_backup_last_successful_timestamp",
      "velero_backup_success_total",
      "velero_backup_duration_seconds",
      "velero_backup_tarball_size_bytes",
      "velero_backup_items_total",
    ],
  },
  fluentBit: {
    source:
      "fluent/fluent-bit v5.1.1 (chart 0.58.1's appVersion) src/flb_input.c, src/flb_filter.c, src/flb_output.c (cmetrics fluentbit_{input,filter,output}_*), /api/v2/metrics/prometheus",
    metrics: [
      "fluentbit_input_bytes_total",
      "fluentbit_input_records_total",
      "fluentbit_filter_records_total",
      "fluentbit_filter_bytes_total",
      "fluentbit_filter_add_records_total",
      "fluentbit_filter_drop_records_total",
      "fluentbit_output_proc_records_total",
      "fluentbit_output_proc_bytes_total",
      "fluentbit_output_errors_total",
      "fluentbit_output_retries_total",
      "fluentbit_output_retries_failed_total",
      "fluentbit_output_dropped_records_total",
    ],
  },
  certManager: {
    source:
      "cert-manager v1.21.1 internal/collectors/certificate_collector.go (served by the controller on 9402; 0 until the Certificate is issued)",
    metrics: [
      "certmanager_certificate_expiration_timestamp_seconds",
      "certmanager_certificate_renewal_timestamp_seconds",
      "certmanager_certificate_ready_status",
    ],
  },
  kubelet: {
    source:
      "kubernetes pkg/kubelet/metrics/collectors/volume_stats.go (the cluster's own: no version pinned here)",
    metrics: ["kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes"],
  },
  cadvisor: {
    source:
      "the kubelet's cAdvisor endpoint /metrics/cadvisor, scraped as job=kubelet by kube-prometheus-stack (the cluster's own: no version pinned here)",
    metrics: ["container_memory_working_set_bytes"],
  },
  kubePrometheusStackRules: {
    source:
      "kube-prometheus-stack's default recording rules, templates/prometheus/rules-1.14/k8s.rules.container_cpu_usage_seconds_total.yaml (the cluster's own: no version pinned here)",
    metrics: ["node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate"],
  },
  rclone: {
    source:
      "rclone/rclone v1.75.0 fs/accounting/prometheus.go (namespace rclone_), served on RCLONE_METRICS_ADDR while a dr-mirror run lasts",
    metrics: [
      "rclone_bytes_transferred_total",
      "rclone_files_transferred_total",
      "rclone_checked_files_total",
      "rclone_files_deleted_total",
      "rclone_errors_total",
    ],
  },
  kubeStateMetrics: {
    source:
      "kube-state-metrics internal/store/cronjob.go, job.go, pod.go, node.go (the cluster's own: no version pinned here)",
    metrics: [
      "kube_cronjob_status_last_successful_time",
      "kube_job_status_failed",
      "kube_job_owner",
      "kube_job_status_start_time",
      "kube_cronjob_created",
      "kube_job_created",
      "kube_pod_info",
      "kube_node_status_condition",
      "kube_pod_container_resource_requests",
    ],
  },
} as const satisfies Record<string, ExportedMetrics>;

export const KNOWN_METRICS: ReadonlySet<string> = new Set(
  Object.values(EXPORTED_METRICS).flatMap((c) => [...c.metrics]),
);

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan"]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions, keywords,
 * label names inside `{}`/`by (...)`, strings or durations. Summary/histogram suffixes
 * (_count, _sum, _bucket) are reduced to their family.
 */
export function metricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, "{}")
    .replace(/\[[^\]]*\]/g, "[]")
    .replace(/\b\d+(?:ms|[smhdwy])\b/g, "0");
  const out = new Set<string>();
  const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const word = m[0];
    const rest = text.slice(m.index + word.length);
    if (LABEL_LISTS.has(word)) {
      const list = /^\s*\([^)]*\)/.exec(rest);
      if (list) re.lastIndex = m.index + word.length + list[0].length;
      continue;
    }
    // Functions and aggregations (also `sum by (x) (...)`) are not metrics.
    if (KEYWORDS.has(word.toLowerCase()) || /^\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(/.test(rest)) continue;
    out.add(word.replace(/_(count|sum|bucket)$/, (s) => (KNOWN_METRICS.has(word) ? s : "")));
  }
  return [...out];
}
