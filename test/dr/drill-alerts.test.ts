// The restore-drill alerts evaluated by Prometheus itself: `promtool test rules` (Debian's
// prometheus package, which .ci/run installs) over kube-state-metrics series shaped as its
// internal/store/job.go and cronjob.go write them.
import { expect } from "chai";
import { alertRules, type AlertRule } from "../../components/monitoring/rules";
import { BLOB_DRILL, DB_DRILL } from "../../components/dr/drill";
import { promtoolTestRules } from "../observability/promql";
import { parseObservability } from "../config/sections";

const NS = "harbor-dr-drill";
const MAX_AGE = 3600;
const groups = alertRules(
  {
    harborNamespace: "harbor",
    drills: {
      cronJobs: [
        { namespace: NS, name: DB_DRILL },
        { namespace: "minio", name: BLOB_DRILL },
      ],
      maxAgeSeconds: MAX_AGE,
    },
  },
  parseObservability({}, "dev").alerting,
).filter((g) => g.name === "harbor-platform.dr-drills");
const rule = (name: string) => groups[0].rules.find((r) => r.alert === name) as AlertRule;

/** The annotations Prometheus renders for `labels` (the rules use only `$labels` templates). */
function rendered(r: AlertRule, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(r.annotations).map(([k, v]) => [
      k,
      v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? ""),
    ]),
  );
}

/** Series of one drill Job: owner, creation time, failed pods. */
function job(name: string, createdAt: number, failed: number): { series: string; values: string }[] {
  return [
    {
      series: `kube_job_owner{namespace="${NS}",job_name="${name}",owner_kind="CronJob",owner_name="${DB_DRILL}",owner_is_controller="true"}`,
      values: "1x200",
    },
    { series: `kube_job_created{namespace="${NS}",job_name="${name}"}`, values: `${createdAt}x200` },
    {
      series: `kube_job_status_failed{namespace="${NS}",job_name="${name}",reason="BackoffLimitExceeded"}`,
      values: `${failed}x200`,
    },
  ];
}
const cron = (metric: string, value: number) => ({
  series: `${metric}{namespace="${NS}",cronjob="${DB_DRILL}"}`,
  values: `${value}x200`,
});

const promtool = (tests: unknown[]) => promtoolTestRules(groups, tests);

describe("restore drill alerts, evaluated by promtool", () => {
  const failed = rule("DrRestoreDrillFailed");
  const stale = rule("DrRestoreDrillStale");
  const failedLabels = { severity: "critical", namespace: NS, owner_name: DB_DRILL };
  const staleLabels = { severity: "critical", namespace: NS, cronjob: DB_DRILL };

  it("DrRestoreDrillFailed fires for a failed last run, not for a failure a later success superseded", () => {
    const r = promtool([
      {
        // Never succeeded; the first run (created at 600 s) failed.
        interval: "1m",
        input_series: [cron("kube_cronjob_created", 0), ...job("drill-1", 600, 1)],
        alert_rule_test: [
          {
            eval_time: "30m",
            alertname: failed.alert,
            exp_alerts: [{ exp_labels: failedLabels, exp_annotations: rendered(failed, failedLabels) }],
          },
        ],
      },
      {
        // The failed run at 600 s is still in the Job history, but a run succeeded at 900 s.
        interval: "1m",
        input_series: [
          cron("kube_cronjob_created", 0),
          cron("kube_cronjob_status_last_successful_time", 900),
          ...job("drill-1", 600, 1),
          ...job("drill-2", 800, 0),
        ],
        alert_rule_test: [{ eval_time: "30m", alertname: failed.alert, exp_alerts: [] }],
      },
      {
        // Succeeded at 900 s, then the run created at 1200 s failed.
        interval: "1m",
        input_series: [
          cron("kube_cronjob_created", 0),
          cron("kube_cronjob_status_last_successful_time", 900),
          ...job("drill-2", 800, 0),
          ...job("drill-3", 1200, 1),
        ],
        alert_rule_test: [
          {
            eval_time: "30m",
            alertname: failed.alert,
            exp_alerts: [{ exp_labels: failedLabels, exp_annotations: rendered(failed, failedLabels) }],
          },
        ],
      },
    ]);
    expect(r.status, r.out).to.equal(0);
  });

  it("DrRestoreDrillStale fires when no run succeeded within the limit, only then", () => {
    const r = promtool([
      {
        // Created at 0, never succeeded: quiet until the limit (plus the rule's `for`), then firing.
        interval: "1m",
        input_series: [cron("kube_cronjob_created", 0)],
        alert_rule_test: [
          { eval_time: "50m", alertname: stale.alert, exp_alerts: [] },
          {
            eval_time: "90m",
            alertname: stale.alert,
            exp_alerts: [{ exp_labels: staleLabels, exp_annotations: rendered(stale, staleLabels) }],
          },
        ],
      },
      {
        // Succeeded at 3000 s: at 90 min the success is 2400 s old, within the limit.
        interval: "1m",
        input_series: [
          cron("kube_cronjob_created", 0),
          cron("kube_cronjob_status_last_successful_time", 3000),
        ],
        alert_rule_test: [{ eval_time: "90m", alertname: stale.alert, exp_alerts: [] }],
      },
    ]);
    expect(r.status, r.out).to.equal(0);
  });

  it("the checks themselves can fail: a wrong expectation is reported", () => {
    const r = promtool([
      {
        interval: "1m",
        input_series: [cron("kube_cronjob_created", 0)],
        alert_rule_test: [{ eval_time: "90m", alertname: stale.alert, exp_alerts: [] }],
      },
    ]);
    expect(r.status, r.out).to.not.equal(0);
    expect(r.out).to.include(stale.alert);
  });
});
