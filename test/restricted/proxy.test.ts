// The corporate proxy: what each component that calls out is given, in the way its pinned chart
// takes it (cited per case), with a NO_PROXY that keeps every in-cluster call off the proxy; and
// the one-line refusals of values the components would misread. Where the calls then go, and
// that NetworkPolicies admit exactly that, is test/reachability/connections.test.ts.
import { expect } from "chai";
import { charts } from "../../versions";
import { parseConfig, type RawConfig } from "../../config";
import { fluentBitSkipsProxy, goNoProxy, goSkipsProxy } from "../../config/proxy";
import { chartValueProblems, CHARTS } from "../conformance/helm-values";
import { at, evaluateStack, stackConfig, type StackRun } from "../harness";
import { LDAP_AUTH } from "../harness/options";
import { CORPORATE_PROXY, PROXY_URL, configFailure, envOf, prodBehindProxy } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Obj = Record<string, unknown>;

const values = (run: StackRun, chart: string): Obj => {
  const r = run.byType(RELEASE).find((x) => x.inputs.chart === chart);
  if (!r) throw new Error(`no ${chart} release`);
  return r.inputs.values as Obj;
};

/** The address the API server's Service gets: the first of the Service range (kube-apiserver). */
const API_SERVICE_IP = "10.96.0.1";

describe("corporate proxy: what the components are given", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod", prodBehindProxy());
  });

  it("Harbor: the chart's proxy values, components core, jobservice and trivy", () => {
    // harbor-helm 1.19.2: core-cm.yaml, jobservice-cm-env.yaml (and exporter-cm-env.yaml) and
    // trivy-sts.yaml render HTTP(S)_PROXY and NO_PROXY for the components listed.
    const proxy = at(values(run, charts.harbor.chart), "proxy") as Obj;
    expect(proxy).to.include({ httpProxy: PROXY_URL, httpsProxy: PROXY_URL });
    expect(proxy.components).to.deep.equal(["core", "jobservice", "trivy"]);
    const noProxy = String(proxy.noProxy).split(",");
    for (const entry of [
      ".svc",
      ".cluster.local",
      "10.96.0.0/12",
      "10.244.0.0/16",
      "10.30.0.0/16",
      ".corp.example.com",
    ])
      expect(noProxy, entry).to.include(entry);
    expect(String(proxy.noProxy)).to.not.match(/\s/);
  });

  it("cert-manager: top-level http_proxy, https_proxy and no_proxy (the controller's env)", () => {
    // cert-manager v1.21.1 templates/deployment.yaml; values.schema.json types them as strings.
    const v = values(run, charts.certManager.chart);
    expect(v).to.include({ http_proxy: PROXY_URL, https_proxy: PROXY_URL });
    const noProxy = String(v.no_proxy).split(",");
    // client-go dials the API server at its Service address: it must never go to the proxy.
    expect(goSkipsProxy(noProxy, API_SERVICE_IP, 443), "the API server's Service").to.equal(true);
    expect(goSkipsProxy(noProxy, "10.0.0.10", 6443), "the API server's endpoints").to.equal(true);
    expect(goSkipsProxy(noProxy, "acme-v02.api.letsencrypt.org", 443), "ACME").to.equal(false);
  });

  it("Velero: configuration.extraEnvVars (the server's env; the AWS plugin inherits it)", () => {
    // velero chart 12.1.0 templates/deployment.yaml renders configuration.extraEnvVars.
    const e = envOf(at(values(run, charts.velero.chart), "configuration.extraEnvVars"));
    expect(e).to.include({ HTTP_PROXY: PROXY_URL, HTTPS_PROXY: PROXY_URL });
    const noProxy = e.NO_PROXY.split(",");
    expect(goSkipsProxy(noProxy, API_SERVICE_IP, 443)).to.equal(true);
    expect(goSkipsProxy(noProxy, "s3.eu-central-1.amazonaws.com", 443)).to.equal(false);
  });

  it("Fluent Bit: HTTP_PROXY only (the https proxy) and NO_PROXY of whole host names", () => {
    // fluent-bit v5.1.1 reads HTTP_PROXY alone and tunnels TLS outputs through it; NO_PROXY
    // entries are compared with the host as whole strings (src/flb_upstream.c).
    const e = envOf(at(values(run, charts.fluentBit.chart), "env"));
    expect(e.HTTP_PROXY).to.equal(PROXY_URL);
    expect(e).to.not.have.property("HTTPS_PROXY");
    expect(fluentBitSkipsProxy([e.NO_PROXY], "kubernetes.default.svc"), "its kubernetes filter").to.equal(
      true,
    );
    expect(fluentBitSkipsProxy([e.NO_PROXY], "elasticsearch.example.com"), "ELK, not in noProxy").to.equal(
      false,
    );
    expect(e.NO_PROXY).to.not.match(/\s/);
  });

  it("Fluent Bit: an ELK endpoint the noProxy domains cover gets its whole name in NO_PROXY", async () => {
    const r = await evaluateStack("prod", {
      ...prodBehindProxy(),
      proxy: { ...CORPORATE_PROXY, noProxy: [".example.com"] },
    });
    const e = envOf(at(values(r, charts.fluentBit.chart), "env"));
    expect(e.NO_PROXY.split(",")).to.deep.equal(["kubernetes.default.svc", "elasticsearch.example.com"]);
  });

  it("every value set is one the pinned charts have", () => {
    for (const r of run.byType(RELEASE)) {
      const folder = CHARTS[String(r.inputs.chart)]?.folder;
      if (folder)
        expect(chartValueProblems(folder, r.inputs.values as Obj), String(r.inputs.chart)).to.deep.equal([]);
    }
  });

  it("without the proxy key nothing changes: no proxy values anywhere", async () => {
    const plain = await evaluateStack("prod");
    expect(values(plain, charts.harbor.chart)).to.not.have.property("proxy");
    expect(values(plain, charts.certManager.chart)).to.not.have.property("http_proxy");
    expect(at(values(plain, charts.velero.chart), "configuration.extraEnvVars")).to.equal(undefined);
  });
});

describe("corporate proxy: NO_PROXY", () => {
  it("always holds loopback, in-cluster names and ranges, the API server and what is reached directly", () => {
    const list = goNoProxy({
      user: [".corp.example.com"],
      serviceCidrs: ["10.96.0.0/12"],
      podCidrs: ["10.244.0.0/16"],
      apiServerCidrs: ["10.0.0.10/32"],
      internalCidrs: ["10.30.0.0/16"],
      alwaysDirectHosts: ["ceph.example.net"],
    });
    expect(list).to.deep.equal([
      "localhost",
      "127.0.0.1",
      ".svc",
      ".cluster.local",
      "kubernetes.default.svc",
      "10.96.0.0/12",
      "10.244.0.0/16",
      "10.0.0.10/32",
      "10.30.0.0/16",
      "ceph.example.net",
      ".corp.example.com",
    ]);
  });

  it("leaves out dev's API server default 0.0.0.0/0, which would exempt every address", () => {
    const list = goNoProxy({
      user: [],
      serviceCidrs: ["10.96.0.0/12"],
      podCidrs: ["10.244.0.0/16"],
      apiServerCidrs: ["0.0.0.0/0"],
      internalCidrs: [],
      alwaysDirectHosts: [],
    });
    expect(list).to.not.include("0.0.0.0/0");
    expect(goSkipsProxy(list, "203.0.113.10", 443)).to.equal(false);
  });

  it("holds the external object store and LDAP hosts", () => {
    const cfg = parseConfig(
      stackConfig("prod", {
        proxy: CORPORATE_PROXY,
        objectStore: { mode: "external", endpoint: "https://ceph.example.net:7480", region: "us-east-1" },
        objectStoreAccessKey: "a",
        objectStoreSecretKey: "s",
        harborConfig: { settings: { auth: LDAP_AUTH } },
        ldapPassword: "p",
      }),
    );
    expect(cfg.proxy?.noProxy).to.include("ceph.example.net").and.to.include("ldap.example.com");
  });
});

describe("corporate proxy: bad values, in one line", () => {
  const prod = (over: RawConfig): RawConfig => ({ ...stackConfig("prod"), ...over });
  const withProxy = (p: Obj): RawConfig => prod({ proxy: { ...CORPORATE_PROXY, ...p } });
  const cases: [string, RawConfig, string][] = [
    [
      "a proxy without a scheme",
      withProxy({ httpProxy: "proxy.corp.example.com:3128" }),
      'harbor-platform:proxy.httpProxy = "proxy.corp.example.com:3128": an http:// or https:// URL of the proxy with its port, like http://proxy.corp.example.com:3128; the scheme is missing',
    ],
    [
      "a proxy without a port",
      withProxy({ httpsProxy: "http://proxy.corp.example.com" }),
      'harbor-platform:proxy.httpsProxy = "http://proxy.corp.example.com": an http:// or https:// URL of the proxy with its port, like http://proxy.corp.example.com:3128; the port is missing',
    ],
    [
      "a SOCKS proxy",
      withProxy({ httpProxy: "socks5://proxy.corp.example.com:1080" }),
      "socks5 is not a proxy scheme the components read",
    ],
    [
      "credentials in the proxy URL",
      withProxy({ httpProxy: "http://user:pw@proxy.corp.example.com:3128" }),
      "no credentials: Harbor's chart writes the URL into ConfigMaps in plain text",
    ],
    [
      "a noProxy entry with a scheme",
      withProxy({ noProxy: ["https://sso.corp.example.com"] }),
      'harbor-platform:proxy.noProxy[0] = "https://sso.corp.example.com": a host, a domain (.corp.example.com matches its subdomains), an IP address or a CIDR, optionally with :port; no scheme: NO_PROXY matches hosts, not URLs',
    ],
    ["a noProxy entry *", withProxy({ noProxy: ["*"] }), "* sends nothing through the proxy"],
    [
      "two noProxy entries in one",
      withProxy({ noProxy: [".a.example.com,.b.example.com"] }),
      "one entry per list item, without commas or spaces",
    ],
    ["a noProxy CIDR with host bits", withProxy({ noProxy: ["10.1.2.3/8"] }), "the network is 10.0.0.0/8"],
    [
      "no proxy addresses",
      withProxy({ cidrs: undefined }),
      "harbor-platform:proxy.cidrs = (unset): required with a proxy: the proxy's addresses as CIDRs",
    ],
    ["proxy addresses of every address", withProxy({ cidrs: ["0.0.0.0/0"] }), "proxy.cidrs[0]"],
    [
      "a proxy address outside its CIDRs",
      withProxy({ httpProxy: "http://10.9.9.9:3128" }),
      "must contain the proxy's address 10.9.9.9 (proxy.httpProxy)",
    ],
    [
      "no Service CIDRs",
      withProxy({ serviceCidrs: undefined }),
      "harbor-platform:proxy.serviceCidrs = (unset): required with a proxy: the cluster's Service CIDRs",
    ],
    ["no Pod CIDRs", withProxy({ podCidrs: [] }), "required with a proxy: the cluster's Pod CIDRs"],
    [
      "a direct destination without internal ranges",
      withProxy({ internalCidrs: undefined }),
      "harbor-platform:proxy.internalCidrs = (unset): required: the address ranges of what is reached without the proxy, for NetworkPolicies: syslog.example.com:514 (auditLogSyslog)",
    ],
    [
      "a direct address outside the internal ranges",
      prod({ proxy: CORPORATE_PROXY, auditLogSyslog: "192.0.2.7:514" }),
      "must contain 192.0.2.7 (auditLogSyslog), which is reached without the proxy",
    ],
    ["internal ranges of every address", withProxy({ internalCidrs: ["0.0.0.0/0"] }), "not every address"],
    ["a component twice", withProxy({ components: ["core", "core"] }), "each component once (core twice)"],
    ["an unknown component", withProxy({ components: ["portal"] }), "proxy.components[0]"],
    ["a misspelt field", withProxy({ noproxy: [] }), "unknown key; did you mean `noProxy`?"],
  ];
  for (const [what, raw, message] of cases)
    it(`refuses ${what}`, () => {
      expect(configFailure(raw)).to.contain(message);
    });
});
