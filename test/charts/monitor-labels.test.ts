// The monitors the charts render are objects a strict YAML parser accepts: each template writes
// its own labels, then the user's, into one mapping (read at the pinned tags and rendered with
// Helm 3.17.3 on both stacks' values), so a user label with a key the chart already wrote makes a
// duplicate key (harbor-helm #2364: Helm keeps the last one, strict parsers refuse the object).
// The labels each template writes itself, in order, and where it takes the user's:
import { expect } from "chai";
import { parseDocument, stringify } from "yaml";
import { charts } from "../../versions";
import { CHART_MONITOR_LABEL_KEYS } from "../../config/observability";
import { at, evaluateStack, stackConfig, type StackRun } from "../harness";
import { parseConfig } from "../../config";
import { monitorSwitches, ruleSwitches } from "./monitor-switches";
import { devWithOptions } from "../harness/options";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The labels `helm create`'s "<chart>.labels" helper writes (fluent-bit's and cloudnative-pg's). */
const STANDARD_HELM_LABELS = [
  "helm.sh/chart",
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/version",
  "app.kubernetes.io/managed-by",
];

const MONITORS: Readonly<Record<string, { own: readonly string[]; userLabels: string }>> = {
  // harbor-helm 1.19.2 templates/metrics/metrics-svcmon.yaml: include "harbor.labels", then
  // metrics.serviceMonitor.additionalLabels.
  [charts.harbor.chart]: {
    own: [
      "heritage",
      "release",
      "chart",
      "app",
      "app.kubernetes.io/instance",
      "app.kubernetes.io/name",
      "app.kubernetes.io/managed-by",
      "app.kubernetes.io/part-of",
      "app.kubernetes.io/version",
    ],
    userLabels: "metrics.serviceMonitor.additionalLabels",
  },
  // redis-ha 4.39.0 templates/redis-ha-servicemonitor.yaml: app, heritage, release, chart, then
  // exporter.serviceMonitor.labels.
  [charts.redisHa.chart]: {
    own: ["app", "heritage", "release", "chart"],
    userLabels: "exporter.serviceMonitor.labels",
  },
  // minio 5.4.0 templates/servicemonitor.yaml (the Probe and the node ServiceMonitor): app,
  // chart, release, heritage, then metrics.serviceMonitor.additionalLabels.
  [charts.minio.chart]: {
    own: ["app", "chart", "release", "heritage"],
    userLabels: "metrics.serviceMonitor.additionalLabels",
  },
  // velero 12.1.0 templates/servicemonitor.yaml: name, instance, managed-by, helm.sh/chart, then
  // metrics.serviceMonitor.additionalLabels.
  [charts.velero.chart]: {
    own: [
      "app.kubernetes.io/name",
      "app.kubernetes.io/instance",
      "app.kubernetes.io/managed-by",
      "helm.sh/chart",
    ],
    userLabels: "metrics.serviceMonitor.additionalLabels",
  },
  // fluent-bit 0.58.1 templates/servicemonitor.yaml: include "fluent-bit.labels", then
  // serviceMonitor.selector.
  [charts.fluentBit.chart]: {
    own: STANDARD_HELM_LABELS,
    userLabels: "serviceMonitor.selector",
  },
  // cert-manager v1.21.1 templates/servicemonitor.yaml: app, name, instance, component, the
  // "labels" helper (version, managed-by, helm.sh/chart), prometheus (prometheusInstance), then
  // prometheus.servicemonitor.labels.
  [charts.certManager.chart]: {
    own: [
      "app",
      "app.kubernetes.io/name",
      "app.kubernetes.io/instance",
      "app.kubernetes.io/component",
      "app.kubernetes.io/version",
      "app.kubernetes.io/managed-by",
      "helm.sh/chart",
      "prometheus",
    ],
    userLabels: "prometheus.servicemonitor.labels",
  },
  // cloudnative-pg 0.29.0 templates/podmonitor.yaml: include "cloudnative-pg.labels", then
  // monitoring.podMonitorAdditionalLabels.
  [charts.cloudnativePg.chart]: {
    own: STANDARD_HELM_LABELS,
    userLabels: "monitoring.podMonitorAdditionalLabels",
  },
};

/** The labels mapping as the template writes it (own keys, then the user's), parsed strictly. */
function renderedLabelErrors(own: readonly string[], user: Record<string, string>): string[] {
  const text = [
    ...own.map((k) => `${k}: chart`),
    ...stringify(user)
      .trimEnd()
      .split("\n")
      .filter((l) => l !== "{}"),
  ].join("\n");
  return parseDocument(text).errors.map((e) => e.code);
}

describe("chart monitors a strict YAML parser accepts", () => {
  const check = (run: StackRun) => {
    let checked = 0;
    for (const r of run.byType(RELEASE)) {
      const m = MONITORS[String(r.inputs.chart)];
      const user = m && (at(r.inputs.values, m.userLabels) as Record<string, string> | undefined);
      if (!m || !user) continue;
      checked++;
      expect(renderedLabelErrors(m.own, user), `${String(r.inputs.chart)} monitor labels`).to.deep.equal([]);
    }
    return checked;
  };

  it("prod: no chart monitor gets a label key twice", async () => {
    expect(check(await evaluateStack("prod")), "monitors with user labels").to.be.greaterThan(3);
  });

  it("the strict parse finds the duplicate the chart would write with a release selector", () => {
    expect(
      renderedLabelErrors(MONITORS[charts.harbor.chart].own, { release: "kube-prometheus-stack" }),
    ).to.include("DUPLICATE_KEY");
  });

  it("the config refuses every label key a chart writes on its monitors, in one line", async () => {
    const own = new Set(Object.values(MONITORS).flatMap((m) => m.own));
    expect([...CHART_MONITOR_LABEL_KEYS]).to.have.members([...own]);
    let message = "";
    try {
      await evaluateStack("prod", {
        alerting: {
          ...(stackConfig("prod").alerting as object),
          selectorLabels: { release: "kube-prometheus-stack" },
        },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    const line = message.split("\n").find((l) => l.includes("alerting.selectorLabels"));
    expect(line).to.match(
      /^harbor-platform:alerting\.selectorLabels = \{"release":"kube-prometheus-stack"\}: label keys other than /,
    );
  });
});

// The cluster's Prometheus selects monitors and rules by alerting.selectorLabels: an object
// without them is never scraped or evaluated, silently.
describe("every monitor and rule either stack creates carries the configured selector labels", () => {
  const PROGRAM_KINDS = ["ServiceMonitor", "PodMonitor", "Probe", "PrometheusRule"].map(
    (k) => `kubernetes:monitoring.coreos.com/v1:${k}`,
  );

  /** Objects (program's and each chart's, by the values that switch them on) missing a selector label. */
  function unselected(
    run: StackRun,
    selector: Record<string, string>,
  ): { checked: number; missing: string[] } {
    const missing: string[] = [];
    let checked = 0;
    const lacks = (labels: unknown) =>
      Object.entries(selector).some(([k, v]) => (labels as Record<string, string> | undefined)?.[k] !== v);
    for (const r of run.resources.filter((x) => PROGRAM_KINDS.includes(x.type))) {
      checked++;
      if (lacks(at(r.inputs, "metadata.labels"))) missing.push(`${r.type.split(":").pop()} ${r.name}`);
    }
    for (const r of run.byType(RELEASE)) {
      const chart = String(r.inputs.chart);
      const monitors = monitorSwitches(r.inputs.values);
      expect(
        ruleSwitches(r.inputs.values),
        `${chart} turns on a rule: describe where its labels go`,
      ).to.deep.equal([]);
      if (monitors.length === 0) continue;
      const m = MONITORS[chart];
      expect(
        m,
        `${chart} turns on ${monitors.join(", ")}: describe where its monitor's labels go`,
      ).to.not.equal(undefined);
      checked++;
      if (lacks(at(r.inputs.values, m.userLabels))) missing.push(`${chart} (${monitors.join(", ")})`);
    }
    return { checked, missing };
  }

  const cases: [string, string, Record<string, unknown>][] = [
    ["prod", "prod", {}],
    ["dev with logging and selector labels", "dev", devWithOptions()],
  ];
  for (const [what, stack, overrides] of cases)
    it(what, async () => {
      const run = await evaluateStack(stack, overrides);
      const selector = parseConfig(stackConfig(stack, overrides)).observability.alerting.selectorLabels;
      expect(Object.keys(selector), "a selector to check").to.not.deep.equal([]);
      const { checked, missing } = unselected(run, { ...selector });
      expect(checked, "monitors and rules found").to.be.greaterThan(0);
      expect(missing).to.deep.equal([]);
    });
});
