// Where the Releases fetch their charts from in each `mirror.charts` form, with the password a
// secret end to end; and the proxy-cache projects `mirror.harborProxyCaches` adds to Harbor.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { charts } from "../../versions";
import { parseConfig } from "../../config";
import { DOCKER_HUB } from "../../config/harbor-config";
import { FakeHarbor, PROXY_CACHE_REGISTRY_TYPES } from "../fakes/harbor";
import { makeCa } from "../fakes/pki";
import { HarborProvider } from "../../components/harbor-config/provider";
import { projectInputs } from "../../components/harbor-config";
import { StackSecret, evaluateStack, stackConfig, type StackRun } from "../harness";
import { MIRROR, RELEASE, chartKeyOf } from "./stacks";

const PASSWORD = "needle-chart-mirror-password";

describe("mirror: chart sources", () => {
  let dir: string;
  let caFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-sources-"));
    caFile = path.join(dir, "ca.pem");
    fs.writeFileSync(caFile, makeCa("chart repository CA").cert);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const withCredentials = (url: string) => ({
    mirror: { ...MIRROR, charts: { url, caFile, username: "puller", passwordSecret: "chartMirrorPassword" } },
    chartMirrorPassword: new StackSecret(PASSWORD),
  });

  const check = (run: StackRun, expectOpts: (chart: string) => Record<string, unknown>) => {
    const rs = run.byType(RELEASE);
    expect(rs.length).to.be.greaterThan(1);
    for (const r of rs) {
      const key = chartKeyOf(String(r.inputs.chart));
      expect(r.inputs.version, r.name).to.equal(charts[key].version);
      expect(r.inputs.repositoryOpts, r.name).to.deep.equal(expectOpts(charts[key].chart));
      expect(r.secretPaths, `${r.name}: the password reaches the engine as a secret`).to.include(
        "repositoryOpts.password",
      );
    }
  };

  it("oci://: every chart as <url>/<name>, with the credentials and the CA Helm uses with them", async () => {
    const run = await evaluateStack("prod", withCredentials("oci://harbor.site.example/charts"));
    for (const r of run.byType(RELEASE))
      expect(String(r.inputs.chart)).to.equal(
        `oci://harbor.site.example/charts/${charts[chartKeyOf(String(r.inputs.chart))].chart}`,
      );
    check(run, () => ({ username: "puller", password: PASSWORD, caFile }));
  });

  it("https://: one repository for every chart, by name", async () => {
    const run = await evaluateStack("prod", withCredentials("https://charts.site.example/stable"));
    for (const r of run.byType(RELEASE))
      expect(Object.values(charts).map((c) => c.chart)).to.include(r.inputs.chart);
    check(run, () => ({
      repo: "https://charts.site.example/stable",
      caFile,
      username: "puller",
      password: PASSWORD,
    }));
  });

  it("keeps the public repositories when only images are mirrored", async () => {
    const run = await evaluateStack("dev", { mirror: { registry: MIRROR.registry } });
    const harbor = run.one(RELEASE, "harbor");
    expect(harbor.inputs.chart).to.equal("harbor");
    expect(harbor.inputs.repositoryOpts).to.deep.equal({ repo: charts.harbor.repo });
  });
});

describe("mirror: Harbor as its own mirror (proxy caches)", () => {
  const caches = (stack: string, extra: Record<string, unknown> = {}) =>
    parseConfig(
      stackConfig(stack, {
        mirror: { harborProxyCaches: ["docker.io", "ghcr.io", "registry.k8s.io"] },
        ...extra,
      }),
    ).harborConfig;

  it("creates each endpoint and proxy-cache project on Harbor, which refuses the quay type", async () => {
    const fake = await new FakeHarbor().start();
    try {
      const create = async (kind: "registry" | "project", declared: Record<string, unknown>) =>
        (await new HarborProvider(kind).create({ connection: fake.connection, ...declared })).outs as Record<
          string,
          unknown
        >;
      const spec = caches("dev");
      const ids = new Map<string, unknown>();
      for (const r of spec.registries) {
        expect(PROXY_CACHE_REGISTRY_TYPES as readonly string[], r.name).to.include(r.type);
        const outs = await create("registry", { ...r, accessKey: "", accessSecret: "" });
        ids.set(r.name, outs.registryId);
      }
      for (const p of spec.projects.filter((x) => x.proxyCacheRegistry !== undefined))
        await create("project", projectInputs(p, ids.get(p.proxyCacheRegistry ?? "")));
      expect([...fake.state.projects.values()].map((p) => p.name)).to.include.members([
        "docker.io",
        "ghcr.io",
        "registry.k8s.io",
      ]);
      const quay = await create("registry", {
        name: "quay",
        type: "quay",
        url: "https://quay.io",
        insecure: false,
        accessKey: "",
        accessSecret: "",
      });
      const refused = await create("project", {
        name: "quay.io",
        public: true,
        quotaBytes: -1,
        scanOnPush: false,
        preventVulnerable: "none",
        cosign: false,
        cveAllowlist: [],
        registryId: quay.registryId,
      }).then(
        () => "",
        (e: Error) => e.message,
      );
      expect(refused).to.include("unsupported registry type quay");
      expect(fake.violations, "requests outside the OpenAPI spec").to.deep.equal([]);
    } finally {
      await fake.stop();
    }
  });

  it("adds one public proxy-cache project per upstream, named after its host", () => {
    const spec = caches("dev");
    expect(spec.registries.map((r) => [r.name, r.type, r.url])).to.deep.equal([
      ["docker.io", "docker-hub", DOCKER_HUB.url],
      ["ghcr.io", "github-ghcr", "https://ghcr.io"],
      ["registry.k8s.io", "docker-registry", "https://registry.k8s.io"],
    ]);
    const projects = spec.projects.filter((p) => p.proxyCacheRegistry !== undefined);
    expect(projects.map((p) => [p.name, p.proxyCacheRegistry, p.public, p.preventVulnerable])).to.deep.equal([
      ["docker.io", "docker.io", true, "none"],
      ["ghcr.io", "ghcr.io", true, "none"],
      ["registry.k8s.io", "registry.k8s.io", true, "none"],
    ]);
    // Harbor's automatic retention for proxy caches, adopted (docs/harbor-config.md).
    for (const p of projects)
      expect(p.retention?.rules[0]).to.include({ template: "nDaysSinceLastPull", count: 7 });
  });

  it("reuses prod's Docker Hub endpoint for the docker.io project", () => {
    const spec = caches("prod");
    expect(spec.registries.filter((r) => r.type === "docker-hub").map((r) => r.name)).to.deep.equal([
      DOCKER_HUB.registry,
    ]);
    expect(spec.projects.find((p) => p.name === "docker.io")?.proxyCacheRegistry).to.equal(
      DOCKER_HUB.registry,
    );
  });

  it("keeps a project the stack declares under an upstream's name; refuses one that is not a proxy cache", () => {
    const declared = caches("dev", {
      harborConfig: {
        registries: [{ name: "hub", type: "docker-hub", url: DOCKER_HUB.url }],
        projects: [{ name: "docker.io", proxyCache: { registry: "hub" }, quota: "1Ti" }],
      },
    });
    expect(declared.projects.find((p) => p.name === "docker.io")).to.include({
      proxyCacheRegistry: "hub",
      public: false,
    });
    expect(() => caches("dev", { harborConfig: { projects: [{ name: "ghcr.io" }] } })).to.throw(
      'harbor-platform:mirror.harborProxyCaches = "ghcr.io": harborConfig.projects has a project named ghcr.io that is not a proxy cache: rename it, or make it one',
    );
  });

  it("registers the endpoints and projects with Harbor's configuration", async () => {
    const run = await evaluateStack("dev", { mirror: { harborProxyCaches: ["ghcr.io", "registry.k8s.io"] } });
    const registries = run.byType("pulumi-nodejs:dynamic/harbor:HarborRegistry").map((r) => r.inputs.name);
    expect(registries).to.deep.equal(["ghcr.io", "registry.k8s.io"]);
    const projects = run.byType("pulumi-nodejs:dynamic/harbor:HarborProject").map((r) => r.inputs.name);
    expect(projects).to.include.members(["ghcr.io", "registry.k8s.io"]);
  });
});
