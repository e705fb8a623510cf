// Pure PrometheusRule builder: one group per area, only for the parts the topology deploys.
import type { AlertingConfig } from "../../config/observability";

export interface MonitoredParts {
  readonly harborNamespace: string;
  /** CloudNativePG cluster (prod). */
  readonly database?: { readonly namespace: string; readonly cluster: string };
  /** redis-ha with Sentinel (prod). */
  readonly redis?: { readonly namespace: string };
  /** MinIO distributed; the DR mirror CronJob `dr-mirror` lives in its namespace when `drMirror`. */
  readonly minio?: { readonly namespace: string; readonly drMirror: boolean };
  readonly velero?: { readonly namespace: string };
  readonly fluentBit?: { readonly namespace: string };
  /** The restore drills (prod with MinIO and DR). */
  readonly drills?: DrillsMonitored;
  /** cert-manager's controller, whose metrics describe every Certificate of the cluster. */
  readonly certManager?: { readonly namespace: string };
}

export interface DrillsMonitored {
  readonly cronJobs: readonly { readonly namespace: string; readonly name: string }[];
  /** Longest time without a successful run before the stale alert fires. */
  readonly maxAgeSeconds: number;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "warning" | "critical" };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The runbook file of an alert under docs/runbooks/. */
export function runbookFile(alert: string): string {
  return `${alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}.md`;
}

/**
 * Series of a counter that rose within `window`, or that appeared within it (a counter born
 * at 1 on a fresh pod shows no increase() on its first sample).
 */
export function roseOrAppeared(selector: string, window: string, by: string): string {
  return (
    `sum by (${by}) (increase(${selector}[${window}])) > 0` +
    ` or sum by (${by}) (${selector} unless ${selector} offset ${window}) > 0`
  );
}

/**
 * `expr`, or the series missing altogether: a target that is never scraped (a NetworkPolicy, a
 * monitor Prometheus does not select) leaves a comparison silent instead of firing.
 */
export function orAbsent(expr: string, series: string): string {
  return `(${expr}) or absent(${series})`;
}

function namespaces(p: MonitoredParts): string[] {
  return [
    p.harborNamespace,
    p.database?.namespace,
    p.redis?.namespace,
    p.minio?.namespace,
    p.velero?.namespace,
    p.fluentBit?.namespace,
    p.certManager?.namespace,
  ].filter((n, i, all): n is string => n !== undefined && all.indexOf(n) === i);
}

export type RuleFactory = (
  alert: string,
  expr: string,
  forDuration: string,
  severity: "warning" | "critical",
  summary: string,
  description: string,
) => AlertRule;

/** Rules with their runbook under alerting.runbookBaseUrl. */
export function ruleFactory(a: AlertingConfig): RuleFactory {
  return (alert, expr, forDuration, severity, summary, description) => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${a.runbookBaseUrl}/${runbookFile(alert)}` },
  });
}

export function alertRules(p: MonitoredParts, a: AlertingConfig): RuleGroup[] {
  const rule = ruleFactory(a);
  const hns = p.harborNamespace;
  const used = a.storageUsedPercent / 100;
  const gcWindow = `${a.gcMaxAgeHours}h`;
  const jobs = `harbor_jobservice_task_total{namespace="${hns}"`;
  const groups: RuleGroup[] = [];

  groups.push({
    name: "harbor-platform.availability",
    rules: [
      rule(
        "ComponentDown",
        `up{namespace=~"${namespaces(p).join("|")}"} == 0`,
        "5m",
        "critical",
        "A scrape target of the platform is down",
        "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.job }}) has not answered scrapes for 5 minutes.",
      ),
      rule(
        "HarborComponentUnhealthy",
        orAbsent(`harbor_up{namespace="${hns}"} == 0`, `harbor_up{namespace="${hns}"}`),
        "5m",
        "critical",
        "Harbor reports a component unhealthy",
        "Harbor's health check reports {{ $labels.component }} down.",
      ),
    ],
  });

  groups.push({
    name: "harbor-platform.harbor",
    rules: [
      rule(
        "GarbageCollectionFailed",
        roseOrAppeared(`${jobs},type="GARBAGE_COLLECTION",status="fail"}`, "1h", "namespace"),
        "0m",
        "warning",
        "Harbor garbage collection failed",
        "A GARBAGE_COLLECTION job failed in jobservice within the last hour.",
      ),
      // Harbor exports no "last GC time": the best real signal is the jobservice success
      // counter. A jobservice restart resets it, so the alert waits until every pod is older than the window.
      rule(
        "GarbageCollectionStale",
        `(sum(increase(${jobs},type="GARBAGE_COLLECTION",status="success"}[${gcWindow}])) or vector(0)) == 0` +
          ` unless on() (time() - max(process_start_time_seconds{namespace="${hns}",container="jobservice"})) < ${a.gcMaxAgeHours * 3600}`,
        "1h",
        "warning",
        `No successful Harbor garbage collection in ${gcWindow}`,
        `Jobservice has run no successful GARBAGE_COLLECTION job for ${gcWindow}; check the GC schedule and the last run.`,
      ),
      rule(
        "VulnerabilityScanFailed",
        roseOrAppeared(`${jobs},type=~"IMAGE_SCAN|SCAN_ALL",status="fail"}`, "30m", "namespace, type"),
        "0m",
        "warning",
        "Harbor vulnerability scans are failing",
        "{{ $labels.type }} jobs failed in the last 30 minutes.",
      ),
      // /v2 answers 401 to every anonymous ping as the start of the token flow: those are normal.
      rule(
        "AuthenticationFailureBurst",
        `sum(rate(harbor_core_http_request_total{namespace="${hns}",code="401",operation!~"v2_.*"}[5m])) > ${a.authFailuresPerSecond}`,
        "5m",
        "warning",
        "Burst of authentication failures at Harbor",
        `More than ${a.authFailuresPerSecond} failed authentications per second at Harbor core for 5 minutes.`,
      ),
    ],
  });

  groups.push({
    name: "harbor-platform.storage",
    rules: [
      rule(
        "PersistentVolumeFillingUp",
        `(1 - kubelet_volume_stats_available_bytes{namespace=~"${namespaces(p).join("|")}"}` +
          ` / kubelet_volume_stats_capacity_bytes{namespace=~"${namespaces(p).join("|")}"}) > ${used}`,
        "15m",
        "warning",
        `A volume is more than ${a.storageUsedPercent}% full`,
        "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.",
      ),
      ...(p.minio
        ? [
            rule(
              "MinioCapacityLow",
              `(1 - minio_cluster_capacity_usable_free_bytes{namespace="${p.minio.namespace}"}` +
                ` / minio_cluster_capacity_usable_total_bytes{namespace="${p.minio.namespace}"}) > ${used}`,
              "15m",
              "warning",
              `MinIO is more than ${a.storageUsedPercent}% full`,
              "Usable MinIO capacity is {{ $value | humanizePercentage }} used.",
            ),
            rule(
              "MinioDrivesOffline",
              orAbsent(
                `max(minio_cluster_drive_offline_total{namespace="${p.minio.namespace}"}) > 0` +
                  ` or max(minio_cluster_nodes_offline_total{namespace="${p.minio.namespace}"}) > 0`,
                `minio_cluster_drive_offline_total{namespace="${p.minio.namespace}"}`,
              ),
              "5m",
              "critical",
              "MinIO drives or nodes are offline",
              "Erasure coding is degraded: {{ $value }} drives or nodes offline.",
            ),
          ]
        : []),
    ],
  });

  if (p.database) {
    const sel = `namespace="${p.database.namespace}",pod=~"${p.database.cluster}-[0-9]+"`;
    groups.push({
      name: "harbor-platform.database",
      rules: [
        rule(
          "DatabaseReplicationLag",
          `max by (pod) (cnpg_pg_replication_lag{${sel}}) > ${a.replicationLagSeconds}`,
          "5m",
          "warning",
          "PostgreSQL replica lags behind the primary",
          `{{ $labels.pod }} replays WAL {{ $value }}s behind (limit ${a.replicationLagSeconds}s).`,
        ),
        rule(
          "DatabaseBackupFailed",
          orAbsent(
            `max(barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp{${sel}})` +
              ` > max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${sel}})`,
            `barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${sel}}`,
          ),
          "5m",
          "critical",
          "The last PostgreSQL base backup failed",
          "The newest backup attempt of the CloudNativePG cluster failed after the last good one.",
        ),
        rule(
          "DatabaseWalArchivingFailing",
          orAbsent(
            `sum(increase(cnpg_pg_stat_archiver_failed_count{${sel}}[15m])) > 0`,
            `cnpg_pg_stat_archiver_failed_count{${sel}}`,
          ),
          "15m",
          "critical",
          "PostgreSQL WAL archiving is failing",
          "WAL segments fail to reach the object store: point-in-time recovery is at risk.",
        ),
      ],
    });
  }

  if (p.redis) {
    const ns = p.redis.namespace;
    groups.push({
      name: "harbor-platform.redis",
      rules: [
        rule(
          "RedisDown",
          orAbsent(`redis_up{namespace="${ns}"} == 0`, `redis_up{namespace="${ns}"}`),
          "5m",
          "critical",
          "A Redis data node is down",
          "The exporter beside {{ $labels.pod }} cannot reach Redis.",
        ),
        rule(
          "SentinelQuorumLost",
          orAbsent(
            `min(redis_sentinel_master_ckquorum_status{namespace="${ns}"}) == 0` +
              ` or min(redis_sentinel_master_ok_sentinels{namespace="${ns}"} - redis_sentinel_master_setting_ckquorum{namespace="${ns}"}) < 0`,
            `redis_sentinel_master_ok_sentinels{namespace="${ns}"}`,
          ),
          "2m",
          "critical",
          "Redis Sentinel has no quorum",
          "Sentinels cannot agree on a failover: a master loss would stop Harbor's job queue and cache.",
        ),
      ],
    });
  }

  if (p.minio?.drMirror) {
    const ns = p.minio.namespace;
    const rpo = a.drMirrorRpoMinutes * 60;
    const mirrorJob = `on(namespace, job_name) group_left() kube_job_owner{namespace="${ns}",owner_kind="CronJob",owner_name="dr-mirror"}`;
    groups.push({
      name: "harbor-platform.dr",
      rules: [
        rule(
          "DrMirrorStale",
          `time() - kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="dr-mirror"} > ${rpo}` +
            ` or absent(kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="dr-mirror"})`,
          `${Math.min(a.drMirrorRpoMinutes, 30)}m`,
          "critical",
          `The DR mirror is older than its RPO of ${a.drMirrorRpoMinutes} minutes`,
          "The last successful dr-mirror run to the AWS DR bucket is older than the RPO.",
        ),
        rule(
          "DrMirrorJobFailed",
          `max(kube_job_status_failed{namespace="${ns}",reason!~"|PodFailurePolicy"} * ${mirrorJob}) > 0`,
          "0m",
          "warning",
          "A DR mirror run failed",
          "A Job of the dr-mirror CronJob failed; the next run retries, the RPO alert follows if it keeps failing.",
        ),
        // A held run exits with the code the Job's podFailurePolicy turns into FailJob: its
        // Failed condition has reason PodFailurePolicy, which kube-state-metrics (job.go)
        // reports as reason="" (it names only BackoffLimitExceeded, DeadlineExceeded, Evicted;
        // should it learn PodFailurePolicy, the regex still matches).
        // Each scheduled run holds again until approved, so recent Jobs are enough.
        rule(
          "DrMirrorDeletesRefused",
          `max(kube_job_status_failed{namespace="${ns}",reason=~"|PodFailurePolicy"} * ${mirrorJob}` +
            ` and on(namespace, job_name) (time() - kube_job_status_start_time{namespace="${ns}"} < ${2 * rpo})) > 0`,
          "5m",
          "critical",
          "The DR mirror holds back deletes from the DR copy",
          "A dr-mirror run found more deletes pending for a bucket than dr.maxDelete/maxDeletePercent allow and left that bucket's DR copy untouched; it stays held until an operator approves.",
        ),
      ],
    });
  }

  if (p.drills) {
    const nss = [...new Set(p.drills.cronJobs.map((c) => c.namespace))].join("|");
    const jobs = p.drills.cronJobs.map((c) => c.name).join("|");
    const cron = `namespace=~"${nss}",cronjob=~"${jobs}"`;
    const asOwner = (m: string) => `label_replace(${m}{${cron}}, "owner_name", "$1", "cronjob", "(.+)")`;
    const maxAge = p.drills.maxAgeSeconds;
    groups.push({
      name: "harbor-platform.dr-drills",
      rules: [
        // The newest run failed: a failed Job created after the last success (or, never
        // successful, after the CronJob). Older failures kept in the Job history do not count.
        rule(
          "DrRestoreDrillFailed",
          `max by (namespace, owner_name) ((kube_job_created{namespace=~"${nss}"}` +
            ` * on (namespace, job_name) group_left (owner_name) kube_job_owner{namespace=~"${nss}",owner_kind="CronJob",owner_name=~"${jobs}"})` +
            ` and on (namespace, job_name) (sum by (namespace, job_name) (kube_job_status_failed{namespace=~"${nss}"}) > 0))` +
            ` > on (namespace, owner_name) max by (namespace, owner_name) (${asOwner("kube_cronjob_status_last_successful_time")} or ${asOwner("kube_cronjob_created")})`,
          "0m",
          "critical",
          "A restore drill failed",
          "The last run of {{ $labels.owner_name }} failed: the DR copy may not restore. Its Job and the scratch cluster are kept for inspection.",
        ),
        rule(
          "DrRestoreDrillStale",
          `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cron}}) > ${maxAge}` +
            ` or (time() - max by (namespace, cronjob) (kube_cronjob_created{${cron}}) > ${maxAge}` +
            ` unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cron}})`,
          "15m",
          "critical",
          `No restore drill succeeded in ${Math.round(maxAge / 3600)} hours`,
          "{{ $labels.cronjob }} has not succeeded within its schedule plus its deadline.",
        ),
      ],
    });
  }

  if (p.velero) {
    const ns = p.velero.namespace;
    groups.push({
      name: "harbor-platform.velero",
      rules: [
        rule(
          "VeleroBackupFailed",
          orAbsent(
            `velero_backup_last_status{namespace="${ns}",schedule!=""} != 1` +
              ` or increase(velero_backup_failure_total{namespace="${ns}",schedule!=""}[1h]) > 0` +
              ` or increase(velero_backup_partial_failure_total{namespace="${ns}",schedule!=""}[1h]) > 0`,
            // Velero sets a schedule's counters to 0 when it loads the schedule (InitSchedule).
            `velero_backup_failure_total{namespace="${ns}",schedule!=""}`,
          ),
          "5m",
          "critical",
          "A Velero backup failed",
          "The last backup of schedule {{ $labels.schedule }} failed or partially failed.",
        ),
      ],
    });
  }

  if (p.fluentBit) {
    const ns = p.fluentBit.namespace;
    groups.push({
      name: "harbor-platform.logging",
      rules: [
        rule(
          "LogShippingFailing",
          `sum by (pod) (rate(fluentbit_output_errors_total{namespace="${ns}"}[5m])) > 0`,
          "15m",
          "warning",
          "Fluent Bit cannot deliver logs to ELK",
          "{{ $labels.pod }} fails to write to ELK; logs are held in the on-disk buffer.",
        ),
        rule(
          "LogsDropped",
          orAbsent(
            `sum by (pod) (increase(fluentbit_output_dropped_records_total{namespace="${ns}"}[10m]))` +
              ` + sum by (pod) (increase(fluentbit_output_retries_failed_total{namespace="${ns}"}[10m])) > 0`,
            `fluentbit_output_dropped_records_total{namespace="${ns}"}`,
          ),
          "0m",
          "critical",
          "Fluent Bit dropped logs",
          "{{ $labels.pod }} dropped records: the buffer is full or retries gave up.",
        ),
      ],
    });
  }
  if (p.certManager) groups.push(certificateRules(p.certManager.namespace, rule));
  return groups;
}

/**
 * Certificates cert-manager does not renew. The series carry the Certificate's own namespace as
 * `exported_namespace` (the target's `namespace` wins). Both timestamps are 0 until issued.
 */
function certificateRules(ns: string, rule: RuleFactory): RuleGroup {
  const expiry = `certmanager_certificate_expiration_timestamp_seconds{namespace="${ns}"}`;
  const renewal = `certmanager_certificate_renewal_timestamp_seconds{namespace="${ns}"}`;
  return {
    name: "harbor-platform.certificates",
    rules: [
      // Half of the renewal window gone without a renewal (each Certificate's own renewBefore),
      // or less than a day left whatever the window.
      rule(
        "CertificateExpiringSoon",
        orAbsent(
          `((${expiry} > 0) - time() < ((${expiry} > 0) - (${renewal} > 0)) / 2)` +
            ` or ((${expiry} > 0) - time() < 86400)`,
          expiry,
        ),
        "15m",
        "critical",
        "A certificate is close to expiry and was not renewed",
        "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}.",
      ),
      rule(
        "CertificateNotReady",
        `max by (exported_namespace, name) (certmanager_certificate_ready_status{namespace="${ns}",condition="False"}) == 1`,
        "15m",
        "warning",
        "A certificate is not ready",
        "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} has been not Ready for 15 minutes; its Secret may be missing or stale.",
      ),
    ],
  };
}
