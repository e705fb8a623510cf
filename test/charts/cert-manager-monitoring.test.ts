// cert-manager's certificate metrics reach Prometheus and alert before a certificate expires:
// held to chart v1.21.1 (pinned values.yaml and schema; templates/servicemonitor.yaml read at the
// tag: it renders only with prometheus.enabled and prometheus.servicemonitor.enabled, takes its
// labels from prometheus.servicemonitor.labels, and `fail`s with the podmonitor switch on too)
// and to the metrics of internal/collectors/certificate_collector.go at v1.21.1.
import { expect } from "chai";
import { charts } from "../../versions";
import { metricNames } from "../../components/monitoring";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: Record<string, string>;
}

describe("cert-manager monitoring (prod)", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });
  const release = () => {
    const r = run.byType(RELEASE).find((x) => x.inputs.chart === charts.certManager.chart);
    if (!r) throw new Error("prod installs no cert-manager Release");
    return r;
  };
  const rules = (): Rule[] =>
    (at(run.one(RULE).inputs, "spec.groups") as { rules: Rule[] }[]).flatMap((g) => g.rules);

  it("renders the chart's ServiceMonitor, with Prometheus's selector labels, and not its PodMonitor", () => {
    const values = coalesce(
      chartData(charts.certManager.upstream).values,
      release().inputs.values as Record<string, unknown>,
    );
    expect(at(values, "prometheus.enabled"), "prometheus.enabled").to.equal(true);
    expect(at(values, "prometheus.servicemonitor.enabled"), "servicemonitor.enabled").to.equal(true);
    // Both on: the template fails the whole render.
    expect(at(values, "prometheus.podmonitor.enabled"), "podmonitor.enabled").to.not.equal(true);
    const selector = at(run.one(RULE).inputs, "metadata.labels") as Record<string, string>;
    expect(at(values, "prometheus.servicemonitor.labels")).to.deep.include(selector);
  });

  it("alerts on certificates close to expiry, ignoring the 0 of a certificate not yet issued", () => {
    const ns = String(release().inputs.namespace);
    const expiring = rules().filter((r) =>
      metricNames(r.expr).includes("certmanager_certificate_expiration_timestamp_seconds"),
    );
    expect(expiring, "an expiry alert").to.have.length.greaterThan(0);
    for (const r of expiring) {
      // Every use of the expiry series is filtered `> 0`, and scoped to the scraped controller.
      const uses = [
        ...r.expr.matchAll(/certmanager_certificate_expiration_timestamp_seconds\{([^}]*)\}(\s*>\s*0)?/g),
      ];
      const compared = uses.filter((u) => !r.expr.slice(0, u.index).endsWith("absent("));
      expect(compared.length, r.expr).to.be.greaterThan(0);
      for (const u of compared) {
        expect(u[1], r.expr).to.contain(`namespace="${ns}"`);
        expect(u[2], `${r.alert}: unfiltered expiry series in ${r.expr}`).to.not.equal(undefined);
      }
      expect(r.annotations.runbook_url).to.match(/certificate-expiring-soon\.md$/);
    }
  });

  it("alerts on certificates that are not Ready", () => {
    const notReady = rules().filter((r) =>
      /certmanager_certificate_ready_status\{[^}]*condition="False"/.test(r.expr),
    );
    expect(notReady.map((r) => r.alert)).to.deep.equal(["CertificateNotReady"]);
  });
});
