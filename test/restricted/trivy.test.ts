// Trivy without the internet: each mode as Harbor's chart sees it (harbor-helm 1.19.2
// trivy-sts.yaml turns trivy.* into the adapter's SCANNER_TRIVY_* environment; the adapter,
// harbor-scanner-trivy v0.38.0 pkg/trivy/wrapper.go, into trivy's flags), the egress each mode
// needs, the GitHub token kept secret, and the refusals of settings a mode would ignore.
import { expect } from "chai";
import { charts } from "../../versions";
import { type RawConfig } from "../../config";
import { INLINE_SECRET_PATHS } from "../../policy/policies/helm-values-no-plain-secrets";
import { flowPolicies } from "../reachability/network-policy";
import { at, evaluateStack, stackConfig, StackSecret, type StackRun } from "../harness";
import { CORPORATE_PROXY, configFailure } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Obj = Record<string, unknown>;

const harbor = (run: StackRun) => {
  const r = run.byType(RELEASE).find((x) => x.inputs.chart === charts.harbor.chart);
  if (!r) throw new Error("no Harbor release");
  return r;
};
const trivyValues = (run: StackRun): Obj => at(harbor(run).inputs.values, "trivy") as Obj;
/** The Harbor namespace's egress flows of Trivy's pods, by name, with their ports. */
const trivyEgress = (run: StackRun): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  for (const [name, f] of flowPolicies(run, "harbor"))
    if (f.direction === "egress" && at(f.spec, "podSelector.matchLabels.component") === "trivy")
      out[name] = ((at(f.spec, "egress") as { ports?: { port: number }[] }[])[0].ports ?? []).map(
        (p) => p.port,
      );
  return out;
};

const MIRROR = {
  dbRepository: ["harbor.corp.example.com:8443/ghcr/aquasecurity/trivy-db"],
  javaDbRepository: ["harbor.corp.example.com:8443/ghcr/aquasecurity/trivy-java-db"],
};

describe("Trivy's database source", () => {
  it("by default: the chart's public repositories, downloads on", async () => {
    const run = await evaluateStack("dev");
    const v = trivyValues(run);
    for (const k of [
      "skipUpdate",
      "skipJavaDBUpdate",
      "offlineScan",
      "dbRepository",
      "javaDBRepository",
      "extraEnvVars",
    ])
      expect(v, k).to.not.have.property(k);
    expect(trivyEgress(run)).to.deep.equal({ "trivy-to-internet": [443] });
  });

  it("from an internal OCI repository: both databases from it, egress only to its port", async () => {
    const run = await evaluateStack("dev", { trivy: MIRROR });
    const v = trivyValues(run);
    expect(v.dbRepository).to.deep.equal(MIRROR.dbRepository);
    expect(v.javaDBRepository).to.deep.equal(MIRROR.javaDbRepository);
    // No call home to check.trivy.dev either (trivy v0.72.0 pkg/notification/notice.go).
    expect(v.extraEnvVars).to.deep.include.members([
      { name: "TRIVY_SKIP_VERSION_CHECK", value: "true" },
      { name: "TRIVY_DISABLE_TELEMETRY", value: "true" },
    ]);
    expect(trivyEgress(run)).to.deep.equal({ "trivy-to-internet": [8443] });
  });

  it("from an internal repository behind the proxy: Trivy's egress is the proxy", async () => {
    const run = await evaluateStack("dev", { trivy: MIRROR, proxy: { ...CORPORATE_PROXY, noProxy: [] } });
    expect(trivyEgress(run)).to.deep.equal({ "trivy-to-proxy": [3128] });
  });

  it("from an internal repository in noProxy: directly, to the internal ranges", async () => {
    const run = await evaluateStack("dev", { trivy: MIRROR, proxy: CORPORATE_PROXY });
    expect(trivyEgress(run)).to.deep.equal({ "trivy-to-internal": [8443] });
  });

  it("offline: no download, no Maven lookups, no egress at all", async () => {
    const run = await evaluateStack("dev", { trivy: { offline: true } });
    expect(trivyValues(run)).to.include({ skipUpdate: true, skipJavaDBUpdate: true, offlineScan: true });
    expect(trivyEgress(run)).to.deep.equal({});
  });

  it("keeps one cache volume per replica: Trivy's scan cache cannot be shared", async () => {
    // trivy v0.72.0 pkg/cache/fs.go opens <cache>/fanal/fanal.db (bolt) with a 5 s lock
    // timeout: replicas sharing one volume would fail each other's scans. The chart's
    // volumeClaimTemplates give each replica its own claim unless existingClaim is set.
    const run = await evaluateStack("dev", { trivy: { offline: true }, trivyReplicas: 2 });
    expect(at(harbor(run).inputs.values, "persistence.persistentVolumeClaim.trivy.existingClaim")).to.equal(
      undefined,
    );
  });
});

describe("Trivy's GitHub token", () => {
  const withToken = {
    trivy: { gitHubTokenSecret: "trivyGitHubToken" },
    trivyGitHubToken: new StackSecret("ghp_needle"),
  };

  it("reaches the chart's trivy.gitHubToken as a secret, and nowhere else", async () => {
    const run = await evaluateStack("dev", withToken);
    const h = harbor(run);
    expect(at(h.inputs.values, "trivy.gitHubToken")).to.equal("ghp_needle");
    expect(h.secretPaths).to.include("values.trivy.gitHubToken");
    // The chart offers no existingSecret beside it (the policy test checks values.yaml).
    expect(INLINE_SECRET_PATHS.harbor).to.include("trivy.gitHubToken");
    for (const r of run.resources)
      if (r !== h) expect(JSON.stringify(r.inputs), r.urn).to.not.contain("ghp_needle");
  });

  it("refuses the token stored in plain text, or missing", async () => {
    const message = async (over: Obj) => {
      try {
        await evaluateStack("dev", over);
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    };
    expect(await message({ ...withToken, trivyGitHubToken: "ghp_plain" })).to.contain(
      "harbor-platform:trivyGitHubToken = (secret): stored in plain text",
    );
    expect(await message({ trivy: withToken.trivy })).to.contain(
      "harbor-platform:trivyGitHubToken = (unset): required by trivy.gitHubTokenSecret",
    );
  });
});

describe("Trivy: bad values, in one line", () => {
  const dev = (trivy: Obj): RawConfig => ({ ...stackConfig("dev"), trivy });
  const cases: [string, Obj, string][] = [
    [
      "offline with a repository",
      { offline: true, ...MIRROR },
      'harbor-platform:trivy.dbRepository = ["harbor.corp.example.com:8443/ghcr/aquasecurity/trivy-db"]: nothing with trivy.offline: true, which downloads nothing',
    ],
    [
      "offline with a GitHub token",
      { offline: true, gitHubTokenSecret: "trivyGitHubToken" },
      'harbor-platform:trivy.gitHubTokenSecret = "trivyGitHubToken": nothing with trivy.offline: true',
    ],
    [
      "one repository without the other",
      { dbRepository: MIRROR.dbRepository },
      "harbor-platform:trivy.javaDbRepository = (unset): required beside the other repository",
    ],
    [
      "a repository with a scheme",
      { ...MIRROR, dbRepository: ["https://harbor.corp.example.com/ghcr/aquasecurity/trivy-db"] },
      'harbor-platform:trivy.dbRepository[0] = "https://harbor.corp.example.com/ghcr/aquasecurity/trivy-db": an OCI repository as host[:port]/path[:tag], like harbor.corp.example.com/ghcr/aquasecurity/trivy-db; no scheme: Trivy reads a registry reference',
    ],
    [
      "a repository without a registry host",
      { ...MIRROR, javaDbRepository: ["aquasec/trivy-java-db"] },
      "aquasec is no registry host (it would mean Docker Hub)",
    ],
    [
      "a repository by digest",
      { ...MIRROR, dbRepository: ["ghcr.io/aquasecurity/trivy-db@sha256:0123"] },
      "a tag, not a digest",
    ],
    ["an empty repository list", { ...MIRROR, dbRepository: [] }, "trivy.dbRepository"],
    ["a misspelt field", { ofline: true }, "unknown key; did you mean `offline`?"],
  ];
  for (const [what, trivy, message] of cases)
    it(`refuses ${what}`, () => {
      expect(configFailure(dev(trivy))).to.contain(message);
    });
});
