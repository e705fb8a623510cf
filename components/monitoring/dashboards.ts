// The platform's Grafana dashboards: one per part the topology deploys, written for this
// platform's namespaces, names and exporters. Every expression uses only names from
// EXPORTED_METRICS (tested, with promtool parsing each one). Fluent Bit's dashboard is its
// chart's own (dashboards.enabled in its values): it passes the same check.
import { RATE_INTERVAL as RI, type DashboardSpec, type PanelSpec } from "./grafana";
import type { MonitoredParts } from "./rules";

export * from "./grafana";

const volumesPanel = (namespace: string): PanelSpec => ({
  title: "Volumes used",
  unit: "percentunit",
  width: 12,
  queries: [
    {
      expr:
        `max by (persistentvolumeclaim) (1 - kubelet_volume_stats_available_bytes{namespace="${namespace}"}` +
        ` / kubelet_volume_stats_capacity_bytes{namespace="${namespace}"})`,
      legend: "{{persistentvolumeclaim}}",
    },
  ],
});

function harbor(ns: string): DashboardSpec {
  const sel = `namespace="${ns}"`;
  return {
    file: "harbor",
    title: "Harbor",
    rows: [
      {
        title: "Health",
        panels: [
          { title: "Harbor healthy", type: "stat", queries: [{ expr: `min(harbor_health{${sel}})` }] },
          {
            title: "Components up",
            queries: [{ expr: `min by (component) (harbor_up{${sel}})`, legend: "{{component}}" }],
          },
          {
            title: "Scrape targets up",
            queries: [{ expr: `sum by (job) (up{${sel}})`, legend: "{{job}}" }],
          },
        ],
      },
      {
        title: "API (core)",
        panels: [
          {
            title: "Requests by status code",
            unit: "reqps",
            queries: [
              {
                expr: `sum by (code) (rate(harbor_core_http_request_total{${sel}}[${RI}]))`,
                legend: "{{code}}",
              },
            ],
          },
          {
            title: "Failed authentications",
            description: "401 answers, without the anonymous /v2 pings that start every docker login.",
            unit: "reqps",
            queries: [
              {
                expr: `sum(rate(harbor_core_http_request_total{${sel},code="401",operation!~"v2_.*"}[${RI}]))`,
                legend: "401",
              },
            ],
          },
          {
            title: "Slowest operations (p99)",
            unit: "s",
            queries: [
              {
                expr: `topk(10, max by (operation) (harbor_core_http_request_duration_seconds{${sel},quantile="0.99"}))`,
                legend: "{{operation}}",
              },
            ],
          },
          {
            title: "Requests in flight",
            queries: [{ expr: `sum(harbor_core_http_inflight_requests{${sel}})`, legend: "in flight" }],
          },
        ],
      },
      {
        title: "Jobs (GC, replication, scans, retention)",
        panels: [
          {
            title: "Jobs by type and result (1h)",
            queries: [
              {
                expr: `sum by (type, status) (increase(harbor_jobservice_task_total{${sel}}[1h]))`,
                legend: "{{type}} {{status}}",
              },
            ],
          },
          {
            title: "Queued jobs by type",
            queries: [{ expr: `max by (type) (harbor_task_queue_size{${sel}})`, legend: "{{type}}" }],
          },
          {
            title: "Queue latency by type",
            unit: "s",
            queries: [{ expr: `max by (type) (harbor_task_queue_latency{${sel}})`, legend: "{{type}}" }],
          },
        ],
      },
      {
        title: "Storage and projects",
        panels: [
          {
            title: "Storage used",
            type: "stat",
            unit: "bytes",
            queries: [{ expr: `max(harbor_statistics_total_storage_consumption{${sel}})` }],
          },
          {
            title: "Projects and repositories",
            type: "stat",
            queries: [
              { expr: `max(harbor_statistics_total_project_amount{${sel}})`, legend: "projects" },
              { expr: `max(harbor_statistics_total_repo_amount{${sel}})`, legend: "repositories" },
            ],
          },
          {
            title: "Quota used, fullest projects",
            unit: "percentunit",
            redFrom: 0.9,
            queries: [
              {
                expr:
                  `topk(10, max by (project_name) (harbor_project_quota_usage_byte{${sel}})` +
                  ` / max by (project_name) (harbor_project_quota_byte{${sel}} > 0))`,
                legend: "{{project_name}}",
              },
            ],
          },
          {
            title: "Artifacts, largest projects",
            queries: [
              {
                expr: `topk(10, sum by (project_name) (harbor_project_artifact_total{${sel}}))`,
                legend: "{{project_name}}",
              },
            ],
          },
          volumesPanel(ns),
        ],
      },
    ],
  };
}

function database(ns: string, cluster: string): DashboardSpec {
  const sel = `namespace="${ns}",pod=~"${cluster}-[0-9]+"`;
  return {
    file: "cloudnative-pg",
    title: "PostgreSQL (CloudNativePG)",
    rows: [
      {
        title: "Cluster",
        panels: [
          { title: "Instances up", type: "stat", queries: [{ expr: `sum(cnpg_collector_up{${sel}})` }] },
          {
            title: "Primary",
            description: "1 on the instance that is not in recovery.",
            queries: [
              { expr: `max by (pod) (1 - cnpg_pg_replication_in_recovery{${sel}})`, legend: "{{pod}}" },
            ],
          },
          {
            title: "Streaming replicas",
            type: "stat",
            queries: [{ expr: `max(cnpg_pg_replication_streaming_replicas{${sel}})` }],
          },
          {
            title: "Replication lag",
            unit: "s",
            queries: [{ expr: `max by (pod) (cnpg_pg_replication_lag{${sel}})`, legend: "{{pod}}" }],
          },
          {
            title: "WAL receiver up (replicas)",
            queries: [
              { expr: `max by (pod) (cnpg_pg_replication_is_wal_receiver_up{${sel}})`, legend: "{{pod}}" },
            ],
          },
        ],
      },
      {
        title: "Load",
        panels: [
          {
            title: "Connections",
            queries: [
              { expr: `sum by (pod) (cnpg_backends_total{${sel}})`, legend: "{{pod}}" },
              { expr: `sum by (pod) (cnpg_backends_waiting_total{${sel}})`, legend: "{{pod}} waiting" },
            ],
          },
          {
            title: "Transactions",
            unit: "ops",
            queries: [
              {
                expr: `sum by (pod) (rate(cnpg_pg_stat_database_xact_commit{${sel}}[${RI}]))`,
                legend: "{{pod}} commit",
              },
              {
                expr: `sum by (pod) (rate(cnpg_pg_stat_database_xact_rollback{${sel}}[${RI}]))`,
                legend: "{{pod}} rollback",
              },
            ],
          },
          {
            title: "Deadlocks (1h)",
            queries: [
              {
                expr: `sum by (pod) (increase(cnpg_pg_stat_database_deadlocks{${sel}}[1h]))`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Database size",
            unit: "bytes",
            queries: [
              { expr: `max by (datname) (cnpg_pg_database_size_bytes{${sel}})`, legend: "{{datname}}" },
            ],
          },
        ],
      },
      {
        title: "Backups and WAL archive (barman-cloud plugin)",
        panels: [
          {
            title: "Since the last archived WAL",
            unit: "s",
            queries: [
              {
                expr: `max by (pod) (cnpg_pg_stat_archiver_seconds_since_last_archival{${sel}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "WAL segments archived and failed (1h)",
            queries: [
              {
                expr: `sum(increase(cnpg_pg_stat_archiver_archived_count{${sel}}[1h]))`,
                legend: "archived",
              },
              { expr: `sum(increase(cnpg_pg_stat_archiver_failed_count{${sel}}[1h]))`, legend: "failed" },
            ],
          },
          {
            title: "Age of the last base backup",
            type: "stat",
            unit: "s",
            redFrom: 2 * 86400,
            queries: [
              {
                expr: `time() - max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${sel}})`,
              },
            ],
          },
          {
            title: "Recovery window (oldest point in time)",
            type: "stat",
            unit: "s",
            queries: [
              { expr: `time() - min(barman_cloud_cloudnative_pg_io_first_recoverability_point{${sel}})` },
            ],
          },
          volumesPanel(ns),
        ],
      },
    ],
  };
}

function redis(ns: string): DashboardSpec {
  const sel = `namespace="${ns}"`;
  return {
    file: "redis",
    title: "Redis and Sentinel",
    rows: [
      {
        title: "Replication and failover",
        panels: [
          {
            title: "Data nodes by role",
            queries: [
              {
                expr: `count by (role) (redis_instance_info{${sel},redis_mode!="sentinel"})`,
                legend: "{{role}}",
              },
            ],
          },
          {
            title: "Replicas connected to the master",
            type: "stat",
            queries: [{ expr: `max(redis_connected_slaves{${sel}})` }],
          },
          {
            title: "Sentinels agreeing vs quorum",
            queries: [
              { expr: `min(redis_sentinel_master_ok_sentinels{${sel}})`, legend: "ok sentinels" },
              { expr: `max(redis_sentinel_master_setting_ckquorum{${sel}})`, legend: "quorum" },
            ],
          },
          {
            title: "Quorum reachable",
            type: "stat",
            queries: [{ expr: `min(redis_sentinel_master_ckquorum_status{${sel}})` }],
          },
          {
            title: "Master status per sentinel",
            queries: [{ expr: `min by (pod) (redis_sentinel_master_status{${sel}})`, legend: "{{pod}}" }],
          },
          {
            title: "Exporters reaching Redis",
            queries: [{ expr: `min by (pod) (redis_up{${sel}})`, legend: "{{pod}}" }],
          },
        ],
      },
      {
        title: "Load",
        panels: [
          {
            title: "Commands",
            unit: "ops",
            queries: [
              {
                expr: `sum by (pod) (rate(redis_commands_processed_total{${sel}}[${RI}]))`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Clients",
            queries: [{ expr: `max by (pod) (redis_connected_clients{${sel}})`, legend: "{{pod}}" }],
          },
          {
            title: "Memory used",
            unit: "bytes",
            queries: [{ expr: `max by (pod) (redis_memory_used_bytes{${sel}})`, legend: "{{pod}}" }],
          },
          volumesPanel(ns),
        ],
      },
    ],
  };
}

function minio(ns: string): DashboardSpec {
  const sel = `namespace="${ns}"`;
  // The cluster endpoint reports every node's request counters, each with its `server` label.
  const perServer = (metric: string, by: string) =>
    `sum by (${by}) (max by (server, ${by}) (rate(${metric}{${sel}}[${RI}])))`;
  return {
    file: "minio",
    title: "MinIO",
    rows: [
      {
        title: "Capacity and health",
        panels: [
          {
            title: "Usable capacity used",
            type: "stat",
            unit: "percentunit",
            redFrom: 0.85,
            queries: [
              {
                expr:
                  `1 - max(minio_cluster_capacity_usable_free_bytes{${sel}})` +
                  ` / max(minio_cluster_capacity_usable_total_bytes{${sel}})`,
              },
            ],
          },
          {
            title: "Usable capacity",
            unit: "bytes",
            queries: [
              { expr: `max(minio_cluster_capacity_usable_total_bytes{${sel}})`, legend: "total" },
              { expr: `max(minio_cluster_capacity_usable_free_bytes{${sel}})`, legend: "free" },
            ],
          },
          {
            title: "Cluster healthy (write quorum)",
            type: "stat",
            queries: [{ expr: `min(minio_cluster_health_status{${sel}})` }],
          },
          {
            title: "Nodes online and offline",
            queries: [
              { expr: `max(minio_cluster_nodes_online_total{${sel}})`, legend: "online" },
              { expr: `max(minio_cluster_nodes_offline_total{${sel}})`, legend: "offline" },
            ],
          },
          {
            title: "Drives online and offline",
            queries: [
              { expr: `max(minio_cluster_drive_online_total{${sel}})`, legend: "online" },
              { expr: `max(minio_cluster_drive_offline_total{${sel}})`, legend: "offline" },
            ],
          },
          {
            title: "Data stored",
            unit: "bytes",
            queries: [{ expr: `max(minio_cluster_usage_total_bytes{${sel}})`, legend: "bytes" }],
          },
        ],
      },
      {
        title: "S3 traffic",
        panels: [
          {
            title: "Requests by API",
            unit: "reqps",
            queries: [{ expr: perServer("minio_s3_requests_total", "api"), legend: "{{api}}" }],
          },
          {
            title: "Errors by API",
            unit: "reqps",
            queries: [{ expr: perServer("minio_s3_requests_errors_total", "api"), legend: "{{api}}" }],
          },
          {
            title: "Traffic",
            unit: "Bps",
            queries: [
              {
                expr: `sum(max by (server) (rate(minio_s3_traffic_received_bytes{${sel}}[${RI}])))`,
                legend: "received",
              },
              {
                expr: `sum(max by (server) (rate(minio_s3_traffic_sent_bytes{${sel}}[${RI}])))`,
                legend: "sent",
              },
            ],
          },
          volumesPanel(ns),
        ],
      },
    ],
  };
}

function velero(ns: string): DashboardSpec {
  const sel = `namespace="${ns}",schedule!=""`;
  return {
    file: "velero",
    title: "Velero",
    rows: [
      {
        title: "Schedules",
        panels: [
          {
            title: "Last backup succeeded (1) by schedule",
            queries: [
              { expr: `max by (schedule) (velero_backup_last_status{${sel}})`, legend: "{{schedule}}" },
            ],
          },
          {
            title: "Since the last successful backup",
            unit: "s",
            queries: [
              {
                expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp{${sel}})`,
                legend: "{{schedule}}",
              },
            ],
          },
          {
            title: "Backups by result (24h)",
            queries: [
              {
                expr: `sum by (schedule) (increase(velero_backup_success_total{${sel}}[24h]))`,
                legend: "{{schedule}} succeeded",
              },
              {
                expr: `sum by (schedule) (increase(velero_backup_partial_failure_total{${sel}}[24h]))`,
                legend: "{{schedule}} partially failed",
              },
              {
                expr: `sum by (schedule) (increase(velero_backup_failure_total{${sel}}[24h]))`,
                legend: "{{schedule}} failed",
              },
            ],
          },
        ],
      },
      {
        title: "Backup size and duration",
        panels: [
          {
            title: "Backup duration (p95, 24h)",
            unit: "s",
            queries: [
              {
                expr: `histogram_quantile(0.95, sum by (le, schedule) (rate(velero_backup_duration_seconds_bucket{${sel}}[24h])))`,
                legend: "{{schedule}}",
              },
            ],
          },
          {
            title: "Backup tarball size",
            unit: "bytes",
            queries: [
              {
                expr: `max by (schedule) (velero_backup_tarball_size_bytes{${sel}})`,
                legend: "{{schedule}}",
              },
            ],
          },
          {
            title: "Items in the last backup",
            queries: [
              { expr: `max by (schedule) (velero_backup_items_total{${sel}})`, legend: "{{schedule}}" },
            ],
          },
        ],
      },
    ],
  };
}

function certManager(ns: string): DashboardSpec {
  const sel = `namespace="${ns}"`;
  return {
    file: "cert-manager",
    title: "Certificates (cert-manager)",
    rows: [
      {
        title: "Certificates",
        panels: [
          {
            title: "Certificates not ready",
            type: "stat",
            redFrom: 1,
            queries: [
              {
                expr: `count(certmanager_certificate_ready_status{${sel},condition="False"} == 1) or vector(0)`,
              },
            ],
          },
          {
            title: "Time to expiry",
            unit: "s",
            width: 16,
            queries: [
              {
                expr: `min by (exported_namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${sel}} > 0) - time()`,
                legend: "{{exported_namespace}}/{{name}}",
              },
            ],
          },
          {
            title: "Time to the next renewal",
            unit: "s",
            width: 24,
            queries: [
              {
                expr: `min by (exported_namespace, name) (certmanager_certificate_renewal_timestamp_seconds{${sel}} > 0) - time()`,
                legend: "{{exported_namespace}}/{{name}}",
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The DR mirror to AWS and the restore drills: job freshness, failures, transfer. */
function disasterRecovery(p: MonitoredParts, rpoSeconds: number): DashboardSpec | undefined {
  const mirror = p.minio?.drMirror ? p.minio.namespace : undefined;
  if (!mirror && !p.drills) return undefined;
  const rows: DashboardSpec["rows"][number][] = [];
  if (mirror) {
    const ownedBy = `on (namespace, job_name) group_left () kube_job_owner{namespace="${mirror}",owner_kind="CronJob",owner_name="dr-mirror"}`;
    rows.push({
      title: "Mirror to the DR bucket (dr-mirror)",
      panels: [
        {
          title: "Since the last successful mirror run",
          type: "stat",
          unit: "s",
          redFrom: rpoSeconds,
          queries: [
            {
              expr: `time() - max(kube_cronjob_status_last_successful_time{namespace="${mirror}",cronjob="dr-mirror"})`,
            },
          ],
        },
        {
          title: "Failed and held runs kept",
          description:
            "Held: a run that refused deletes beyond dr.maxDelete/maxDeletePercent until approved.",
          queries: [
            {
              expr: `count(kube_job_status_failed{namespace="${mirror}",reason!~"|PodFailurePolicy"} * ${ownedBy} > 0) or vector(0)`,
              legend: "failed",
            },
            {
              expr: `count(kube_job_status_failed{namespace="${mirror}",reason=~"|PodFailurePolicy"} * ${ownedBy} > 0) or vector(0)`,
              legend: "held",
            },
          ],
        },
        {
          title: "Bytes mirrored",
          unit: "Bps",
          queries: [
            {
              expr: `sum(rate(rclone_bytes_transferred_total{namespace="${mirror}"}[${RI}]))`,
              legend: "bytes",
            },
          ],
        },
        {
          title: "Files per run window (15m)",
          width: 24,
          queries: [
            {
              expr: `sum(increase(rclone_files_transferred_total{namespace="${mirror}"}[15m]))`,
              legend: "copied",
            },
            {
              expr: `sum(increase(rclone_files_deleted_total{namespace="${mirror}"}[15m]))`,
              legend: "deleted",
            },
            {
              expr: `sum(increase(rclone_checked_files_total{namespace="${mirror}"}[15m]))`,
              legend: "checked",
            },
            { expr: `sum(increase(rclone_errors_total{namespace="${mirror}"}[15m]))`, legend: "errors" },
          ],
        },
      ],
    });
  }
  if (p.drills) {
    const nss = [...new Set(p.drills.cronJobs.map((c) => c.namespace))].join("|");
    const jobs = p.drills.cronJobs.map((c) => c.name).join("|");
    rows.push({
      title: "Restore drills",
      panels: [
        {
          title: "Since the last successful drill",
          unit: "s",
          redFrom: p.drills.maxAgeSeconds,
          width: 12,
          queries: [
            {
              expr: `time() - max by (cronjob) (kube_cronjob_status_last_successful_time{namespace=~"${nss}",cronjob=~"${jobs}"})`,
              legend: "{{cronjob}}",
            },
          ],
        },
        {
          title: "Failed drill Jobs kept",
          width: 12,
          queries: [
            {
              expr:
                `sum by (owner_name) (kube_job_status_failed{namespace=~"${nss}"}` +
                ` * on (namespace, job_name) group_left (owner_name) kube_job_owner{namespace=~"${nss}",owner_kind="CronJob",owner_name=~"${jobs}"})`,
              legend: "{{owner_name}}",
            },
          ],
        },
      ],
    });
  }
  return { file: "disaster-recovery", title: "Disaster recovery (mirror and drills)", rows };
}

/** The dashboards of the parts a topology deploys (Fluent Bit's comes from its chart). */
export function platformDashboards(p: MonitoredParts, drMirrorRpoMinutes: number): DashboardSpec[] {
  return [
    harbor(p.harborNamespace),
    ...(p.database ? [database(p.database.namespace, p.database.cluster)] : []),
    ...(p.redis ? [redis(p.redis.namespace)] : []),
    ...(p.minio ? [minio(p.minio.namespace)] : []),
    ...(p.velero ? [velero(p.velero.namespace)] : []),
    ...(p.certManager ? [certManager(p.certManager.namespace)] : []),
    ...[disasterRecovery(p, drMirrorRpoMinutes * 60)].filter((d): d is DashboardSpec => d !== undefined),
  ];
}
