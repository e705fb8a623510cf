// An alert that compares a scraped series stays silent when the series is missing (a target
// a NetworkPolicy blocks, a monitor Prometheus does not select): every critical alert on the
// stacks' own exporters also fires on `absent()` of one of its series.
import { expect } from "chai";
import { EXPORTED_METRICS, alertRules, metricNames, type MonitoredParts } from "../../components/monitoring";
import { parseObservability } from "../config/sections";

/**
 * Series the cluster provides, not a monitor of the stacks (docs/prerequisites.md, Monitoring):
 * Prometheus's own `up`, kubelet and kube-state-metrics.
 */
const CLUSTER_SOURCES = new Set<keyof typeof EXPORTED_METRICS>(["prometheus", "kubelet", "kubeStateMetrics"]);
const clusterMetrics: ReadonlySet<string> = new Set<string>(
  Object.entries(EXPORTED_METRICS)
    .filter(([k]) => CLUSTER_SOURCES.has(k as keyof typeof EXPORTED_METRICS))
    .flatMap(([, v]) => [...v.metrics]),
);

const parts: MonitoredParts = {
  harborNamespace: "harbor",
  database: { namespace: "harbor-db", cluster: "harbor-pg" },
  redis: { namespace: "harbor-redis" },
  minio: { namespace: "minio", drMirror: true },
  velero: { namespace: "velero" },
  fluentBit: { namespace: "logging" },
};

describe("alerts on scraped series", () => {
  const critical = alertRules(parts, parseObservability({}, "dev").alerting)
    .flatMap((g) => g.rules)
    .filter((r) => r.labels.severity === "critical");
  for (const r of critical) {
    const scraped = metricNames(r.expr).filter((m) => !clusterMetrics.has(m));
    if (scraped.length === 0) continue;
    it(`${r.alert} also fires when its series is absent`, () => {
      const absent = [...r.expr.matchAll(/absent\(\s*([A-Za-z_:][A-Za-z0-9_:]*)/g)].map((m) => m[1]);
      expect(
        absent.filter((m) => scraped.includes(m)),
        r.expr,
      ).to.not.deep.equal([]);
    });
  }
  it("finds critical alerts on scraped series (the test still reads the rules)", () => {
    expect(
      critical.filter((r) => metricNames(r.expr).some((m) => !clusterMetrics.has(m))),
    ).to.have.length.above(3);
  });
});
