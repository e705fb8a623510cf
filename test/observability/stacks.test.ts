// Observability as the real stacks register it: log shipping, monitors, alerts, audit log.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import {
  ROOT,
  StackSecret,
  at,
  evaluateStack,
  stackConfig,
  type Registered,
  type StackRun,
} from "../harness";
import { STACK_SECRETS } from "../harness/stack-secrets";
import { flowPolicy } from "../reachability/network-policy";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const release = (run: StackRun, chart: string): Registered => {
  const found = run.byType(RELEASE).find((r) => r.inputs.chart === chart);
  if (!found) throw new Error(`no ${chart} release`);
  return found;
};

/** Every input of every registration except the paths that reach the engine as secrets. */
function plainInputs(r: Registered): string {
  const copy = structuredClone(r.inputs);
  for (const p of r.secretPaths) {
    const keys = p.split(".");
    const last = keys.pop() as string;
    const holder = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
    delete holder[last];
  }
  return JSON.stringify(copy);
}

describe("observability: prod stack", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  it("ships container logs with Fluent Bit over verified TLS, the API key only in a secret", () => {
    const outputs = String(at(release(run, "fluent-bit").inputs, "values.config.outputs"));
    expect(outputs).to.match(/Name\s+es/);
    expect(outputs).to.match(/Host\s+elasticsearch\.example\.com/);
    expect(outputs).to.match(/tls\s+On/);
    expect(outputs).to.match(/tls\.verify\s+On/);
    expect(outputs).to.match(/tls\.verify_hostname\s+On/);
    expect(outputs).to.not.match(/verify\s+Off/);
    const key = STACK_SECRETS.prod.elkApiKey;
    for (const r of run.resources) expect(plainInputs(r), r.name).to.not.contain(key);
    const holders = run.resources.filter((r) => JSON.stringify(r.inputs).includes(key));
    expect(holders.map((r) => r.type)).to.deep.equal(["kubernetes:core/v1:Secret"]);
  });

  it("turns on every chart's own monitors with the Prometheus selector labels", () => {
    const labels = { "harbor-platform/prometheus": "kube-prometheus-stack" };
    expect(at(release(run, "harbor").inputs, "values.metrics")).to.deep.equal({
      enabled: true,
      serviceMonitor: { enabled: true, additionalLabels: labels },
    });
    expect(at(release(run, "redis-ha").inputs, "values.exporter.serviceMonitor.enabled")).to.equal(true);
    expect(at(release(run, "minio").inputs, "values.metrics.serviceMonitor.enabled")).to.equal(true);
    expect(at(release(run, "cloudnative-pg").inputs, "values.monitoring.podMonitorEnabled")).to.equal(true);
    expect(at(release(run, "fluent-bit").inputs, "values.serviceMonitor.enabled")).to.equal(true);
  });

  it("registers the CloudNativePG, Sentinel and DR-mirror PodMonitors and the platform's alert rules", () => {
    const podMonitors = run.byType("kubernetes:monitoring.coreos.com/v1:PodMonitor");
    expect(podMonitors.map((m) => at(m.inputs, "metadata.name")).sort()).to.deep.equal([
      "dr-mirror",
      "harbor-pg-instances",
      "redis-sentinel",
    ]);
    // The mirror's pods really serve what its PodMonitor scrapes, and the scrape is allowed in.
    const cron = run.one("kubernetes:batch/v1:CronJob", "harbor-platform-dr-mirror");
    const container = (
      at(cron.inputs, "spec.jobTemplate.spec.template.spec.containers") as Record<string, unknown>[]
    )[0];
    expect(container.ports).to.deep.equal([{ name: "metrics", containerPort: 5572 }]);
    // rclone takes every option from RCLONE_<OPTION>: --metrics-addr for every command of the run.
    expect(container.env).to.deep.include({ name: "RCLONE_METRICS_ADDR", value: ":5572" });
    const scrape = flowPolicy(run, "minio", "metrics-scrape");
    expect(JSON.stringify(scrape.spec.ingress)).to.contain('"port":5572');
    const rule = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(at(rule.inputs, "metadata.labels")).to.deep.equal({
      "harbor-platform/prometheus": "kube-prometheus-stack",
    });
    const alerts = (
      at(rule.inputs, "spec.groups") as { rules: { alert: string; annotations: Record<string, string> }[] }[]
    ).flatMap((g) => g.rules);
    expect(alerts.length).to.be.greaterThan(10);
    for (const a of alerts) {
      const file = a.annotations.runbook_url.split("/blob/main/")[1];
      expect(fs.existsSync(path.join(ROOT, file)), `${a.alert}: ${file}`).to.equal(true);
      expect(a.annotations.summary, a.alert).to.be.a("string").and.not.equal("");
    }
  });

  it("alerts on a DR mirror older than the RPO the DR config promises, and on failed Velero backups", () => {
    const rule = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    const alerts = (at(rule.inputs, "spec.groups") as { rules: { alert: string; expr: string }[] }[]).flatMap(
      (g) => g.rules,
    );
    const mirror = alerts.filter((a) => a.expr.includes("kube_cronjob_status_last_successful_time"));
    expect(mirror.map((a) => a.expr).join())
      .to.contain('cronjob="dr-mirror"')
      .and.contain(`${30 * 60}`);
    expect(alerts.some((a) => a.expr.includes("velero_backup_failure_total"))).to.equal(true);
    expect(at(release(run, "velero").inputs, "values.metrics.serviceMonitor.enabled")).to.equal(true);
  });

  it("forwards Harbor's audit log to the configured syslog endpoint, and lets core reach it", () => {
    const settings = run.one("pulumi-nodejs:dynamic/harbor:HarborSettings");
    expect(at(settings.inputs, "values.audit_log_forward_endpoint")).to.equal("syslog.example.com:514");
    const egress = flowPolicy(run, "harbor", "to-audit-syslog");
    expect(egress.spec.egress).to.deep.equal([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 514 }] },
    ]);
  });
});

describe("observability: dev stack and bad input", () => {
  it("dev ships no logs and registers no monitors by default", async () => {
    const run = await evaluateStack("dev");
    expect(run.byType(RELEASE).map((r) => r.inputs.chart)).to.deep.equal(["harbor"]);
    expect(run.resources.filter((r) => r.type.includes("monitoring.coreos.com"))).to.deep.equal([]);
  });

  it("dev with logging renders Fluent Bit's ServiceMonitor only where the cluster runs prometheus-operator", async () => {
    const logging = {
      logging: stackConfig("prod").logging,
      elkApiKey: new StackSecret(STACK_SECRETS.prod.elkApiKey),
    };
    const without = await evaluateStack("dev", logging);
    // The chart would render a kind the API server does not know, and its Release would fail.
    expect(at(release(without, "fluent-bit").inputs, "values.serviceMonitor")).to.deep.equal({
      enabled: false,
    });
    const withOperator = await evaluateStack("dev", {
      ...logging,
      existingOperators: { prometheusOperator: true },
    });
    expect(at(release(withOperator, "fluent-bit").inputs, "values.serviceMonitor.enabled")).to.equal(true);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      "prod without an ELK endpoint",
      { logging: undefined },
      "harbor-platform:logging = (unset): required for topology prod",
    ],
    [
      "an ELK endpoint that is not https",
      {
        logging: {
          output: "es",
          endpoint: "http://elk.example.com",
          auth: "apiKey",
          credentialsSecret: "elkApiKey",
        },
      },
      'harbor-platform:logging.endpoint = "http://elk.example.com": an https:// URL',
    ],
    [
      "a missing credential secret",
      { elkApiKey: undefined },
      "harbor-platform:elkApiKey = (unset): required by logging.credentialsSecret",
    ],
    [
      "an API key Elasticsearch would not take (the bare api_key), without showing it",
      { elkApiKey: new StackSecret("ui2lp2axTNmsyakw9tvNnw") },
      "harbor-platform:elkApiKey = (secret): Elasticsearch's encoded API key: base64 of <id>:<api_key>",
    ],
    [
      "two different audit-log endpoints",
      { harborConfig: { settings: { auditLogForwardEndpoint: "other.example.com:514" } } },
      'harbor-platform:harborConfig.settings.auditLogForwardEndpoint = "other.example.com:514": leave it unset or equal to auditLogSyslog',
    ],
  ];
  for (const [what, overrides, message] of cases) {
    it(`prod refuses ${what}`, async () => {
      let failure = "";
      try {
        await evaluateStack("prod", overrides);
      } catch (err) {
        failure = (err as Error).message;
      }
      expect(failure).to.contain(message);
      expect(failure).to.not.contain("ui2lp2ax");
    });
  }

  it("forwards the audit log to an [IPv6]:port endpoint as written, and lets core reach that address only", async () => {
    const endpoint = "[fd00::5]:514";
    // The stack decoder reads JSON only for structured keys: this stays the text it is.
    expect(stackConfig("prod", { auditLogSyslog: endpoint }).auditLogSyslog).to.equal(endpoint);
    const run = await evaluateStack("prod", { auditLogSyslog: endpoint });
    const settings = run.one("pulumi-nodejs:dynamic/harbor:HarborSettings");
    expect(at(settings.inputs, "values.audit_log_forward_endpoint")).to.equal(endpoint);
    expect(flowPolicy(run, "harbor", "to-audit-syslog").spec.egress).to.deep.equal([
      { to: [{ ipBlock: { cidr: "fd00::5/128" } }], ports: [{ protocol: "TCP", port: 514 }] },
    ]);
  });
});
