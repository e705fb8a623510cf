import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { upstreamFile } from "../upstream";
import { charts, images } from "../../versions";
import { customResourceProblems } from "../conformance/crds";
import {
  EXPORTED_METRICS,
  KNOWN_METRICS,
  alertRules,
  chartMonitoringValues,
  cnpgClusterPodMonitor,
  drMirrorPodMonitor,
  metricNames,
  prometheusRule,
  runbookFile,
  sentinelExporterPodMonitor,
} from "../../components/monitoring";
import { PROD_PARTS } from "./parts";
import { parseObservability } from "../config/sections";

const ROOT = path.resolve(__dirname, "..", "..");
const alerting = parseObservability({}, "dev").alerting;
const prod = PROD_PARTS;
const groups = alertRules(prod, alerting);
const rules = groups.flatMap((g) => g.rules);

describe("alert rules", () => {
  it("cover every alert the issue asks for in prod", () => {
    expect(rules.map((r) => r.alert)).to.include.members([
      "ComponentDown",
      "PersistentVolumeFillingUp",
      "MinioCapacityLow",
      "DatabaseReplicationLag",
      "DatabaseBackupFailed",
      "SentinelQuorumLost",
      "GarbageCollectionFailed",
      "GarbageCollectionStale",
      "VulnerabilityScanFailed",
      "AuthenticationFailureBurst",
      "DrMirrorStale",
      "VeleroBackupFailed",
    ]);
  });

  it("leave out parts dev does not deploy", () => {
    const dev = alertRules({ harborNamespace: "harbor" }, alerting).flatMap((g) =>
      g.rules.map((r) => r.alert),
    );
    expect(dev).to.not.include.members(["SentinelQuorumLost", "DrMirrorStale", "DatabaseReplicationLag"]);
  });

  for (const r of rules) {
    it(`${r.alert} uses only exported metrics, has a summary and a runbook in docs/`, () => {
      const names = metricNames(r.expr);
      expect(names.length, r.expr).to.be.greaterThan(0);
      for (const n of names) expect(KNOWN_METRICS.has(n), `${n} in ${r.expr}`).to.equal(true);
      expect(r.annotations.summary).to.not.equal("");
      expect(r.annotations.runbook_url).to.match(new RegExp(`/docs/runbooks/${runbookFile(r.alert)}$`));
      const doc = fs.readFileSync(path.join(ROOT, "docs", "runbooks", runbookFile(r.alert)), "utf8");
      expect(doc).to.include(`# ${r.alert}`);
    });
  }

  it("uses the RPO from config for the DR mirror", () => {
    const cfg = parseObservability({ alerting: { drMirrorRpoMinutes: 15 } }, "dev").alerting;
    const dr = alertRules(prod, cfg)
      .flatMap((g) => g.rules)
      .find((r) => r.alert === "DrMirrorStale");
    expect(dr?.expr).to.include('cronjob="dr-mirror"').and.include("> 900");
  });

  // kube-state-metrics internal/store/job.go: a failed Job's kube_job_status_failed carries
  // reason BackoffLimitExceeded, DeadlineExceeded or Evicted, and reason="" for any other
  // condition reason, such as PodFailurePolicy (the held mirror run's FailJob).
  it("tells a held DR mirror run from a failed one by the Job's failure reason", () => {
    const byName = (n: string) => rules.find((r) => r.alert === n);
    const held = byName("DrMirrorDeletesRefused");
    const failed = byName("DrMirrorJobFailed");
    expect(held?.expr).to.include('kube_job_status_failed{namespace="minio",reason=~"|PodFailurePolicy"}');
    expect(held?.expr).to.include('owner_name="dr-mirror"').and.include("kube_job_status_start_time");
    expect(failed?.expr).to.include('kube_job_status_failed{namespace="minio",reason!~"|PodFailurePolicy"}');
    expect(held?.labels.severity).to.equal("critical");
  });

  it("parses metric names out of PromQL, skipping functions, labels and keywords", () => {
    expect(
      metricNames('sum by (pod) (rate(a_total{x="y"}[5m])) > 0 unless on() b offset 1h or absent(c{d="e"})'),
    ).to.deep.equal(["a_total", "b", "c"]);
  });

  it("cites each component's metric list at the version the project pins (or as the cluster's own)", () => {
    // The version each table entry must be read at: the pinned image or chart, or the app version
    // of the pinned chart (upstream Chart.yaml). Prometheus, the kubelet (and its cAdvisor),
    // kube-state-metrics and kube-prometheus-stack's recording rules are the cluster's: the
    // project pins none of them.
    const app = (folder: string) =>
      String(
        (parseYaml(fs.readFileSync(upstreamFile(folder, "Chart.yaml"), "utf8")) as { appVersion: unknown })
          .appVersion,
      );
    const pinned: Record<keyof typeof EXPORTED_METRICS, string | "cluster"> = {
      prometheus: "cluster",
      kubelet: "cluster",
      cadvisor: "cluster",
      kubePrometheusStackRules: "cluster",
      kubeStateMetrics: "cluster",
      harborExporter: images.harbor.tag,
      harborCore: images.harbor.tag,
      harborJobservice: images.harbor.tag,
      cloudnativePg: app(charts.cloudnativePg.upstream).replace(/\.0$/, ""),
      barmanCloudPlugin: app(charts.barmanCloudPlugin.upstream),
      minio: images.minio.tag,
      redisExporter: images.redisExporter.tag,
      velero: `v${app(charts.velero.upstream)}`,
      fluentBit: `v${app(charts.fluentBit.upstream)}`,
      certManager: charts.certManager.version,
      rclone: `v${images.rclone.tag}`,
    };
    for (const [k, v] of Object.entries(EXPORTED_METRICS)) {
      const version = pinned[k as keyof typeof EXPORTED_METRICS];
      if (version === "cluster") expect(v.source, k).to.match(/the cluster's own/);
      else expect(v.source, k).to.include(version);
    }
  });
});

describe("monitor objects", () => {
  it("validate against the prometheus-operator schema", () => {
    const objects = [
      cnpgClusterPodMonitor("harbor-db", "harbor-db", { release: "kps" }),
      drMirrorPodMonitor("minio", { "app.kubernetes.io/name": "dr-mirror" }, "metrics"),
      sentinelExporterPodMonitor("harbor-redis", { app: "redis-ha", release: "redis" }),
      prometheusRule("harbor", groups, { release: "kps" }),
    ];
    for (const o of objects) expect(customResourceProblems({ ...o })).to.deep.equal([]);
  });

  it("turn on chart switches that exist in the pinned values.yaml", () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ["harbor-helm", chartMonitoringValues.harbor()],
      ["cloudnative-pg-chart", chartMonitoringValues.cloudnativePg()],
      ["redis-ha-chart", chartMonitoringValues.redisHa()],
      ["minio-community-chart", chartMonitoringValues.minio()],
      ["velero-chart", chartMonitoringValues.velero()],
    ];
    const leaves = (o: Record<string, unknown>, at = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0
          ? leaves(v as Record<string, unknown>, `${at}${k}.`)
          : [`${at}${k}`],
      );
    for (const [chart, values] of cases) {
      const upstream = parseYaml(fs.readFileSync(upstreamFile(chart, "values.yaml"), "utf8")) as unknown;
      for (const leaf of leaves(values)) {
        const found = leaf
          .split(".")
          .reduce<unknown>(
            (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
            upstream,
          );
        expect(found, `${chart}: ${leaf}`).to.not.equal(undefined);
      }
    }
  });
});
