// Every scrape the stacks set up, joined with the pods it reaches and the NetworkPolicies in
// force: a monitor whose pods a policy blocks is a silent hole (its alerts never fire, `up` stays
// 0). The charts' monitors are derived from each Release's values merged over the chart's pinned
// values.yaml, with what the templates render read at the pinned tags (named per chart below;
// checked once with Helm 3.17.3 `helm template` on both stacks' values).
import { expect } from "chai";
import { charts } from "../../versions";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, type StackRun } from "../harness";
import { admits, policiesOf, selects, type Labels } from "../reachability/network-policy";
import { monitorSwitches } from "./monitor-switches";
import { devWithOptions } from "../harness/options";
import { stackConfig } from "../harness";
import { parseConfig } from "../../config";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const RELEASE = "kubernetes:helm.sh/v3:Release";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";

/** One scrape: Prometheus dials `port` on the pods carrying `pods` in `namespace`. */
interface Scrape {
  readonly monitor: string;
  readonly namespace: string;
  readonly pods: Labels;
  readonly port: number;
}

interface Rel {
  readonly name: string;
  readonly namespace: string;
}

const on = (v: Obj, path: string): boolean => at(v, path) === true;
const num = (v: Obj, path: string): number => Number(at(v, path));

/**
 * What each chart's monitors scrape, from its merged values. Each entry names the templates it
 * reads; a chart whose values turn a monitor on but that has no entry here fails the test.
 */
/** One scrape when `enabled`, none otherwise. */
const when = (enabled: boolean, monitor: string, r: Rel, pods: Labels, port: number): Scrape[] =>
  enabled ? [{ monitor, namespace: r.namespace, pods, port }] : [];

const CHART_SCRAPES: Readonly<Record<string, (v: Obj, r: Rel) => Scrape[]>> = {
  // harbor-helm 1.19.2 templates/metrics/metrics-svcmon.yaml: Services app=harbor,release=<name>,
  // port https-metrics, which {core,exporter,jobservice,registry}-svc.yaml give targetPort
  // metrics.<component>.port on the pods labelled component=<component>.
  [charts.harbor.chart]: (v, r) =>
    ["core", "exporter", "jobservice", "registry"].flatMap((c) =>
      when(
        on(v, "metrics.enabled") && on(v, "metrics.serviceMonitor.enabled"),
        `ServiceMonitor harbor (${c})`,
        r,
        { app: "harbor", release: r.name, component: c },
        num(v, `metrics.${c}.port`),
      ),
    ),
  // redis-ha 4.39.0 templates/redis-ha-servicemonitor.yaml: targetPort exporter.port on the
  // Service redis-ha-service.yaml selects, i.e. the StatefulSet's pods app=redis-ha,release=<name>.
  [charts.redisHa.chart]: (v, r) =>
    when(
      on(v, "exporter.enabled") && on(v, "exporter.serviceMonitor.enabled"),
      "ServiceMonitor redis-ha",
      r,
      { app: "redis-ha", release: r.name },
      num(v, "exporter.port"),
    ),
  // minio 5.4.0 templates/servicemonitor.yaml: `serviceMonitor.enabled` renders a Probe whose
  // prober is the minio Service (service.yaml: targetPort minioAPIPort, pods app=minio,release);
  // `includeNode` adds a ServiceMonitor on the same Service and port.
  [charts.minio.chart]: (v, r) =>
    when(
      on(v, "metrics.serviceMonitor.enabled"),
      "Probe minio-cluster",
      r,
      { app: "minio", release: r.name },
      num(v, "minioAPIPort"),
    ),
  // velero 12.1.0 templates/servicemonitor.yaml: port http-monitoring of the metrics Service,
  // containerPort 8085 in deployment.yaml (a literal, no value sets it).
  [charts.velero.chart]: (v, r) =>
    when(
      on(v, "metrics.enabled") && on(v, "metrics.serviceMonitor.enabled"),
      "ServiceMonitor velero",
      r,
      { name: "velero", "app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": r.name },
      8085,
    ),
  // fluent-bit 0.58.1 templates/servicemonitor.yaml: port http = containerPort metricsPort.
  [charts.fluentBit.chart]: (v, r) =>
    when(
      on(v, "serviceMonitor.enabled"),
      "ServiceMonitor fluent-bit",
      r,
      { "app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": r.name },
      num(v, "metricsPort"),
    ),
  // cloudnative-pg 0.29.0 templates/podmonitor.yaml: port metrics = containerPort 8080 (a
  // literal in deployment.yaml).
  [charts.cloudnativePg.chart]: (v, r) =>
    when(
      on(v, "monitoring.podMonitorEnabled"),
      "PodMonitor cloudnative-pg",
      r,
      { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": r.name },
      8080,
    ),
  // cert-manager v1.21.1 templates/servicemonitor.yaml (with prometheus.enabled): targetPort
  // http-metrics of the controller, webhook and cainjector Services = containerPort 9402 (a
  // literal in each deployment.yaml).
  [charts.certManager.chart]: (v, r) =>
    [
      ["cert-manager", "controller"],
      ["webhook", "webhook"],
      ["cainjector", "cainjector"],
    ].flatMap(([name, component]) =>
      when(
        on(v, "prometheus.enabled") && on(v, "prometheus.servicemonitor.enabled"),
        `ServiceMonitor cert-manager (${component})`,
        r,
        {
          "app.kubernetes.io/name": name,
          "app.kubernetes.io/instance": r.name,
          "app.kubernetes.io/component": component,
        },
        9402,
      ),
    ),
};

// ---- pods and the named ports the program's PodMonitors scrape ------------------------------

interface PodSet {
  readonly namespace: string;
  readonly labels: Labels;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
}

function containerPorts(containers: unknown): PodSet["ports"] {
  return (Array.isArray(containers) ? containers : []).flatMap((c) =>
    isObj(c) && Array.isArray(c.ports) ? (c.ports as PodSet["ports"]) : [],
  );
}

/** The pod sets the stacks run whose container ports are known from what the program writes. */
function podSets(run: StackRun): PodSet[] {
  const out: PodSet[] = [];
  for (const r of run.resources) {
    const ns = String(at(r.inputs, "metadata.namespace"));
    const template =
      at(r.inputs, "spec.jobTemplate.spec.template") ??
      (r.type.includes("apps/v1") ? at(r.inputs, "spec.template") : undefined) ??
      (r.type === "kubernetes:batch/v1:Job" ? at(r.inputs, "spec.template") : undefined);
    if (isObj(template))
      out.push({
        namespace: ns,
        labels: (at(template, "metadata.labels") ?? {}) as Labels,
        ports: containerPorts(at(template, "spec.containers")),
      });
    // CloudNativePG instances: pods cnpg.io/cluster=<name>, cnpg.io/podRole=instance, metrics on
    // the named port `metrics`, 9187 (cloudnative-pg v1.30 pkg/specs/pods.go).
    if (r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")
      out.push({
        namespace: ns,
        labels: { "cnpg.io/cluster": String(at(r.inputs, "metadata.name")), "cnpg.io/podRole": "instance" },
        ports: [{ name: "metrics", containerPort: 9187 }],
      });
    // redis-ha 4.39.0 templates/redis-ha-statefulset.yaml appends `extraContainers` to the pods
    // labelled app=redis-ha,release=<name>.
    if (r.type === RELEASE && r.inputs.chart === charts.redisHa.chart)
      out.push({
        namespace: String(r.inputs.namespace),
        labels: { app: "redis-ha", release: String(r.inputs.name) },
        ports: containerPorts(at(r.inputs, "values.extraContainers")),
      });
  }
  return out;
}

function podMonitorScrapes(run: StackRun): Scrape[] {
  const sets = podSets(run);
  return run.byType(POD_MONITOR).flatMap((m) => {
    const namespace = String(at(m.inputs, "metadata.namespace"));
    const selector = (at(m.inputs, "spec.selector.matchLabels") ?? {}) as Labels;
    const endpoints = (at(m.inputs, "spec.podMetricsEndpoints") ?? []) as { port: string }[];
    const pods = sets.filter(
      (s) => s.namespace === namespace && selects({ matchLabels: selector }, s.labels),
    );
    expect(pods, `PodMonitor ${String(at(m.inputs, "metadata.name"))} selects no pods`).to.not.deep.equal([]);
    return endpoints.flatMap((e) =>
      pods.map((p) => {
        const port = p.ports.find((x) => x.name === e.port)?.containerPort;
        expect(port, `PodMonitor ${String(at(m.inputs, "metadata.name"))}: no port named ${e.port}`).to.be.a(
          "number",
        );
        return {
          monitor: `PodMonitor ${String(at(m.inputs, "metadata.name"))}`,
          namespace,
          pods: p.labels,
          port: port as number,
        };
      }),
    );
  });
}

function chartScrapes(run: StackRun): Scrape[] {
  return run.byType(RELEASE).flatMap((r) => {
    const chart = String(r.inputs.chart);
    const pin = Object.values(charts).find((c) => c.chart === chart);
    if (!pin) throw new Error(`unpinned chart ${chart}`);
    const values = coalesce(chartData(pin.upstream).values, (r.inputs.values ?? {}) as Obj);
    const switches = monitorSwitches(r.inputs.values);
    const describe = CHART_SCRAPES[chart];
    if (switches.length > 0)
      expect(describe, `${chart} turns on ${switches.join(", ")}: describe what it scrapes`).to.be.a(
        "function",
      );
    const scrapes = describe
      ? describe(values, { name: String(r.inputs.name), namespace: String(r.inputs.namespace) })
      : [];
    expect(scrapes.length > 0, `${chart}: monitors on (${switches.join(", ")}) and scrapes found`).to.equal(
      switches.length > 0,
    );
    return scrapes;
  });
}

describe("every scrape the stacks set up is admitted by the NetworkPolicies", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ["prod", "prod", {}],
    ["dev with logging", "dev", devWithOptions()],
  ];
  for (const [what, stack, overrides] of cases) {
    it(`${what}: each chart's and the program's monitors reach their pods from the monitoring namespace`, async () => {
      const run = await evaluateStack(stack, overrides);
      const monitoring = parseConfig(stackConfig(stack, overrides)).networkPolicy.monitoringNamespace;
      const scrapes = [...chartScrapes(run), ...podMonitorScrapes(run)];
      expect(scrapes.length, "no scrapes found: is the test still reading the stack?").to.be.greaterThan(0);
      const all = policiesOf(run);
      // Prometheus's pods: in the monitoring namespace, labels unknown.
      const blocked = scrapes.filter((s) => {
        const v = admits(all, { namespace: monitoring }, { namespace: s.namespace, labels: s.pods }, s.port);
        return !(v.egress && v.ingress);
      });
      expect(
        blocked.map((s) => `${s.monitor}: ${s.namespace} port ${s.port}`),
        "scrapes a NetworkPolicy blocks",
      ).to.deep.equal([]);
    });
  }
});
