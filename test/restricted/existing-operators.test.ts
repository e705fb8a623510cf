// A corporate proxy on a cluster that already runs its operators (`proxy` and `existingOperators`
// together): the program installs no cert-manager or Velero, so it gives them no proxy (their
// proxy settings are the cluster owner's, docs/restricted-networks.md), while every pod the
// program runs itself that calls out still gets the proxy and leaves only through it. The upgrade
// Jobs call out to nothing: the smoke test talks to Harbor core in its namespace (Harbor itself
// pulls through the proxy cache), and gets no proxy environment.
import { expect } from "chai";
import { charts } from "../../versions";
import { SMOKE_LABELS } from "../../components/harbor";
import { at, evaluateStack, type StackRun } from "../harness";
import { admits, policiesOf } from "../reachability/network-policy";
import { OUTBOUND_CALLERS, PROXY_ADDRESS, PROXY_URL, envOf, prodBehindProxy } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Obj = Record<string, unknown>;
/** TEST-NET-3 (RFC 5737): any public address. */
const PUBLIC_ADDRESS = "203.0.113.10";

/** prod behind the proxy (ACME issuer served by the cluster's cert-manager) on the cluster's operators. */
const proxyOnExistingOperators = () => ({
  ...prodBehindProxy(),
  existingOperators: {
    certManager: {},
    cloudnativePg: { namespace: "cnpg-system" },
    velero: { namespace: "velero" },
  },
});

describe("corporate proxy with the cluster's own operators", () => {
  let run: StackRun;
  const release = (chart: string) => run.byType(RELEASE).find((r) => r.inputs.chart === chart);
  before(async () => {
    run = await evaluateStack("prod", proxyOnExistingOperators());
  });

  it("registers no cert-manager or Velero release, so sets no proxy on them, nor polices their namespaces", () => {
    expect(release(charts.certManager.chart), "cert-manager").to.equal(undefined);
    expect(release(charts.velero.chart), "velero").to.equal(undefined);
    const policed = policiesOf(run).map((p) => p.namespace);
    expect(policed).to.not.include.members(["cert-manager", "velero", "cnpg-system"]);
    // They are still used: the ACME issuer and the backup location are the program's.
    expect(
      run.byType("kubernetes:cert-manager.io/v1:ClusterIssuer").map((i) => at(i.inputs, "metadata.name")),
    ).to.include("harbor-platform-acme");
    expect(
      at(run.one("kubernetes:velero.io/v1:BackupStorageLocation").inputs, "metadata.namespace"),
    ).to.equal("velero");
  });

  it("still gives the program's own callers the proxy: Harbor, the DR mirror (rclone), Fluent Bit", () => {
    const harbor = release(charts.harbor.chart)?.inputs.values as Obj;
    expect(at(harbor, "proxy")).to.include({ httpProxy: PROXY_URL, httpsProxy: PROXY_URL });
    const mirror = run.resources.find(
      (r) => r.type.endsWith("batch/v1:CronJob") && at(r.inputs, "metadata.name") === "dr-mirror",
    );
    const container = (at(mirror?.inputs, "spec.jobTemplate.spec.template.spec.containers") as Obj[])[0];
    expect(envOf(container.env)).to.include({ HTTPS_PROXY: PROXY_URL });
    const fluentBit = release(charts.fluentBit.chart)?.inputs.values as Obj;
    expect(envOf(at(fluentBit, "env")).HTTP_PROXY).to.equal(PROXY_URL);
  });

  it("lets the program's own callers out only through the proxy", () => {
    const policies = policiesOf(run);
    // cert-manager's and Velero's pods are the cluster's: their namespaces carry no policy of ours.
    const own = OUTBOUND_CALLERS.filter(
      (c) => !("namespace" in c) || !["cert-manager", "velero"].includes(c.namespace),
    );
    expect(own.map((c) => ("namespace" in c ? c.namespace : c.ip))).to.have.members([
      "harbor",
      "harbor",
      "minio",
    ]);
    for (const from of own) {
      const reaches = (ip: string, port: number) => admits(policies, from, { ip }, port).egress;
      expect(reaches(PROXY_ADDRESS, 3128), `${JSON.stringify(from)} to the proxy`).to.equal(true);
      expect(reaches(PUBLIC_ADDRESS, 443), `${JSON.stringify(from)} to a public address`).to.equal(false);
    }
  });

  it("runs the smoke test without a proxy: it reaches Harbor core in its namespace, nothing outside", () => {
    const job = run
      .byType("kubernetes:batch/v1:Job")
      .find((j) => String(at(j.inputs, "metadata.name")).startsWith("harbor-smoke-"));
    expect(job, "the smoke-test Job").to.not.equal(undefined);
    const container = (at(job?.inputs, "spec.template.spec.containers") as Obj[])[0];
    const env = envOf(container.env);
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) expect(env).to.not.have.property(name);
    expect(env.PROXY_PROJECT, "it pulls through the proxy cache").to.equal("dockerhub");
    const policies = policiesOf(run);
    const smoke = { namespace: "harbor", labels: { ...SMOKE_LABELS } };
    const core = { namespace: "harbor", labels: { app: "harbor", release: "harbor", component: "core" } };
    expect(admits(policies, smoke, core, 8443), "to core").to.deep.equal({ egress: true, ingress: true });
    expect(admits(policies, smoke, { ip: PUBLIC_ADDRESS }, 443).egress, "to a public address").to.equal(
      false,
    );
    expect(admits(policies, smoke, { ip: PROXY_ADDRESS }, 3128).egress, "to the proxy").to.equal(false);
  });
});
