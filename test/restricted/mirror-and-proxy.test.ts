// A site with both: charts and images from its mirror (`mirror`), and a corporate proxy inside
// the site for what must still leave it (`proxy`). The mirror tests run their whole checks on this
// stack too (test/mirror/stacks.ts MIRRORED_STACKS: every image and chart from the mirror, no pod
// admitted to a public address, no range outside the site); here: the proxy's environment beside
// the mirrored images, the proxy the only way out, Trivy's databases from the mirror, and the
// refusal of a proxy or internal range outside the site.
import { expect } from "chai";
import { parseConfig } from "../../config";
import { at, evaluateStack, stackConfig, type StackRun } from "../harness";
import { admits, policiesOf } from "../reachability/network-policy";
import { MIRROR, MIRROR_REGISTRY, chartKeyOf, releases } from "../mirror/stacks";
import {
  CORPORATE_PROXY,
  OUTBOUND_CALLERS,
  PROXY_ADDRESS,
  PROXY_URL,
  configFailure,
  envOf,
  prodBehindProxy,
} from "./fixtures";

type Obj = Record<string, unknown>;
const both = () => ({ ...prodBehindProxy(), mirror: MIRROR });
/** TEST-NET-3 (RFC 5737): any public address. */
const PUBLIC_ADDRESS = "203.0.113.10";

const TRIVY_ON_MIRROR = {
  db: [`${MIRROR_REGISTRY}/ghcr.io/aquasecurity/trivy-db`],
  javaDb: [`${MIRROR_REGISTRY}/ghcr.io/aquasecurity/trivy-java-db`],
};

describe("mirror and proxy together", () => {
  let run: StackRun;
  const values = (chart: string): Obj => {
    const r = releases(run).find((x) => chartKeyOf(String(x.inputs.chart)) === chart);
    if (!r) throw new Error(`no ${chart} release`);
    return r.own;
  };
  before(async () => {
    run = await evaluateStack("prod", both());
  });

  it("gives each caller the proxy while its images come from the mirror", () => {
    const harbor = values("harbor");
    expect(at(harbor, "proxy.httpProxy")).to.equal(PROXY_URL);
    expect(String(at(harbor, "core.image.repository"))).to.match(new RegExp(`^${MIRROR_REGISTRY}/`));
    const velero = values("velero");
    expect(envOf(at(velero, "configuration.extraEnvVars")).HTTPS_PROXY).to.equal(PROXY_URL);
    expect(String((velero.initContainers as Obj[])[0].image)).to.match(new RegExp(`^${MIRROR_REGISTRY}/`));
    expect(values("certManager")).to.include({ https_proxy: PROXY_URL });
    const mirror = run.resources.find((r) => r.type.endsWith("batch/v1:CronJob") && /dr-mirror/.test(r.name));
    const container = (at(mirror?.inputs, "spec.jobTemplate.spec.template.spec.containers") as Obj[])[0];
    expect(envOf(container.env).HTTPS_PROXY).to.equal(PROXY_URL);
    expect(String(container.image)).to.match(new RegExp(`^${MIRROR_REGISTRY}/docker\\.io/rclone/rclone:`));
  });

  it("lets the callers out only through the proxy: no public address, no other site address", () => {
    const policies = policiesOf(run);
    for (const from of OUTBOUND_CALLERS) {
      const reaches = (ip: string, port: number) => admits(policies, from, { ip }, port).egress;
      expect(reaches(PROXY_ADDRESS, 3128), `${JSON.stringify(from)} to the proxy`).to.equal(true);
      expect(reaches(PUBLIC_ADDRESS, 443), `${JSON.stringify(from)} to a public address`).to.equal(false);
      // The site's range admits what the proxy does not carry only within proxy.internalCidrs.
      expect(reaches("10.99.0.1", 443), `${JSON.stringify(from)} to the site outside them`).to.equal(false);
    }
  });

  it("has Trivy read its databases from the mirror, through the proxy", () => {
    const trivy = values("harbor").trivy as Obj;
    expect(trivy.dbRepository).to.deep.equal(TRIVY_ON_MIRROR.db);
    expect(trivy.javaDBRepository).to.deep.equal(TRIVY_ON_MIRROR.javaDb);
    expect(envOf(trivy.extraEnvVars)).to.include({ TRIVY_SKIP_VERSION_CHECK: "true" });
    const cfg = parseConfig(stackConfig("prod", both()));
    expect(cfg.egress.filter((d) => d.caller === "harbor-trivy")).to.deep.equal([
      {
        caller: "harbor-trivy",
        host: "harbor.site.example",
        port: 443,
        http: true,
        source: "mirror.registry",
      },
    ]);
  });
});

describe("Trivy's databases on a site with an image mirror", () => {
  const trivyOf = (over: Obj) => parseConfig(stackConfig("dev", { mirror: MIRROR, ...over })).trivy;

  it("come from ghcr.io's repositories under mirror.registry when none is set", () => {
    expect(trivyOf({})).to.deep.equal({
      mode: "mirror",
      source: "mirror.registry",
      dbRepository: TRIVY_ON_MIRROR.db,
      javaDbRepository: TRIVY_ON_MIRROR.javaDb,
    });
  });

  it("come from the repositories set, or from nowhere offline", () => {
    const set = { dbRepository: ["r.example.com/db"], javaDbRepository: ["r.example.com/java-db"] };
    expect(trivyOf({ trivy: set })).to.include({ mode: "mirror", source: "trivy.dbRepository" });
    expect(trivyOf({ trivy: set })).to.deep.include({ dbRepository: set.dbRepository });
    expect(trivyOf({ trivy: { offline: true } })).to.deep.equal({ mode: "offline" });
  });

  it("stay the public ones with mirror.charts alone (the check can fail)", () => {
    const cfg = parseConfig(stackConfig("dev", { mirror: { charts: MIRROR.charts } }));
    expect(cfg.trivy).to.deep.equal({ mode: "online" });
  });
});

describe("mirror and proxy: a proxy outside the site, in one line", () => {
  const raw = (proxy: Obj, siteCidrs?: string[]) =>
    stackConfig("prod", {
      ...prodBehindProxy(),
      proxy: { ...CORPORATE_PROXY, ...proxy },
      mirror: { ...MIRROR, ...(siteCidrs ? { siteCidrs } : {}) },
    });

  it("refuses proxy addresses outside mirror.siteCidrs", () => {
    expect(
      configFailure(raw({ httpProxy: "http://198.51.100.5:3128", cidrs: ["198.51.100.5/32"] })),
    ).to.equal(
      'harbor-platform:proxy.cidrs[0] = "198.51.100.5/32": a range within mirror.siteCidrs (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): with mirror.registry, egress stays on the site and the proxy carries what leaves it',
    );
  });

  it("refuses internal ranges reaching beyond the site", () => {
    expect(configFailure(raw({}, ["10.20.0.0/16", "10.30.0.0/24"]))).to.contain(
      'harbor-platform:proxy.internalCidrs[0] = "10.30.0.0/16": a range within mirror.siteCidrs (10.20.0.0/16, 10.30.0.0/24)',
    );
  });

  it("accepts them within the site's own ranges, and anywhere without mirror.registry", () => {
    expect(parseConfig(raw({}, ["10.20.0.0/16", "10.30.0.0/16"])).proxy?.cidrs).to.deep.equal([
      "10.20.0.5/32",
    ]);
    const noSite = stackConfig("prod", {
      ...prodBehindProxy(),
      proxy: { ...CORPORATE_PROXY, httpProxy: "http://198.51.100.5:3128", cidrs: ["198.51.100.5/32"] },
      mirror: { charts: MIRROR.charts },
    });
    expect(parseConfig(noSite).proxy?.cidrs).to.deep.equal(["198.51.100.5/32"]);
  });
});
