// The harborConfig parser: per-topology defaults, secret references, and preview-time errors
// asserted by their exact one-line text.
import { expect } from "chai";
import { parseHarborConfiguration, requiredSecretKeys } from "../../config/harbor-config";

const fails = (raw: unknown) => expect(() => parseHarborConfiguration(raw, "prod")).to.throw();
const message = (raw: unknown): string => {
  try {
    parseHarborConfiguration(raw, "prod");
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
};

describe("harborConfig parser", () => {
  it("prod defaults: weekly GC deleting untagged, default quota, Docker Hub proxy cache with adopted retention", () => {
    const spec = parseHarborConfiguration(undefined, "prod");
    expect(spec.gc).to.deep.equal({ cron: "0 0 3 * * 6", deleteUntagged: true, workers: 2 });
    expect(spec.settings.projectQuotaBytes).to.equal(100 * 2 ** 30);
    expect(spec.settings.projectCreationRestriction).to.equal("adminonly");
    expect(spec.registries.map((r) => [r.name, r.type])).to.deep.equal([["dockerhub", "docker-hub"]]);
    expect(spec.projects[0]).to.include({ name: "dockerhub", proxyCacheRegistry: "dockerhub" });
    expect(spec.projects[0].retention?.rules[0]).to.include({ template: "nDaysSinceLastPull", count: 7 });
    expect(spec.scanAll).to.deep.equal({ cron: "0 0 2 * * *" });
  });

  it("dev defaults are lighter: no proxy cache, no scan-all, 20Gi quota, anyone may create projects", () => {
    const spec = parseHarborConfiguration({}, "dev");
    expect([spec.registries, spec.projects, spec.scanAll]).to.deep.equal([[], [], undefined]);
    expect(spec.settings).to.include({
      projectQuotaBytes: 20 * 2 ** 30,
      projectCreationRestriction: "everyone",
    });
    expect(spec.gc?.workers).to.equal(1);
  });

  it("lets every project have its own robot of the same name, as Harbor does (robot$<project>+ci)", () => {
    const spec = parseHarborConfiguration(
      {
        projects: [{ name: "a" }, { name: "b" }],
        robots: [
          { name: "ci", project: "a", access: ["repository:push"] },
          { name: "ci", project: "b", access: ["repository:push"] },
        ],
      },
      "dev",
    );
    expect(spec.robots.map((r) => `${r.project}+${r.name}`)).to.deep.equal(["a+ci", "b+ci"]);
  });

  it("declares projects and robots; a project named like a default replaces it; schedules can be turned off", () => {
    const spec = parseHarborConfiguration(
      {
        gc: false,
        projects: [
          { name: "apps", quota: "10Gi", preventVulnerable: "high" },
          { name: "dockerhub", proxyCache: { registry: "dockerhub" }, quota: -1 },
        ],
        robots: [
          { name: "ci", project: "apps", access: ["repository:pull", "repository:push"] },
          { name: "scanner", system: ["project:list"], projects: { "*": ["repository:pull"] } },
        ],
      },
      "prod",
    );
    expect(spec.gc).to.equal(undefined);
    expect(spec.projects.map((p) => [p.name, p.quotaBytes])).to.deep.equal([
      ["dockerhub", -1],
      ["apps", 10 * 2 ** 30],
    ]);
    expect(spec.robots[0].permissions).to.deep.equal([
      {
        kind: "project",
        namespace: "apps",
        access: [
          { resource: "repository", action: "pull" },
          { resource: "repository", action: "push" },
        ],
      },
    ]);
    expect(spec.robots[1]).to.include({ level: "system" });
  });

  it("secrets are references to secret config keys, listed by requiredSecretKeys", () => {
    const spec = parseHarborConfiguration(
      {
        settings: {
          auth: {
            mode: "oidc",
            oidc: {
              endpoint: "https://sso.example.com",
              clientId: "harbor",
              clientSecret: { secretKey: "oidcClientSecret" },
            },
          },
        },
        registries: [
          {
            name: "dr",
            type: "harbor",
            url: "https://dr.example.com",
            credential: { accessKey: "robot$dr", accessSecret: { secretKey: "drRegistrySecret" } },
          },
        ],
      },
      "prod",
    );
    expect(requiredSecretKeys(spec)).to.deep.equal(["oidcClientSecret", "drRegistrySecret"]);
    fails({
      settings: {
        auth: {
          mode: "oidc",
          oidc: { endpoint: "https://sso.example.com", clientId: "h", clientSecret: "plain" },
        },
      },
    });
  });

  it("refuses bad input at preview with one clear line", () => {
    expect(message({ gc: { cron: "0 3 * * 6" } })).to.equal(
      'harbor-platform:harborConfig.gc.cron = "0 3 * * 6": a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6',
    );
    expect(message({ gc: { cron: "5 0 3 * * 6" } })).to.equal(
      'harbor-platform:harborConfig.gc.cron = "5 0 3 * * 6": a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6; the seconds field must be 0',
    );
    expect(message({ projects: [{ name: "apps", quota: -5 }] })).to.equal(
      'harbor-platform:harborConfig.projects[0].quota = -5: a storage quota: -1 for unlimited, bytes >= 0, or a size like "500Mi", "100Gi", "2Ti"',
    );
    expect(
      message({
        projects: [{ name: "apps" }],
        robots: [{ name: "CI Bot", project: "apps", access: ["repository:pull"] }],
      }),
    ).to.equal(
      "harbor-platform:harborConfig.robots[0].name = \"CI Bot\": a robot name Harbor accepts: lower-case letters and digits, separated by single '.', '_' or '-', at most 255",
    );
    expect(
      message({
        projects: [{ name: "apps" }],
        robots: [{ name: "ci", project: "apps", access: ["repository:fly"] }],
      }),
    ).to.equal(
      'harbor-platform:harborConfig.robots[0].access[0] = "repository:fly": actions Harbor allows on project resource repository: read, update, delete, list, pull, push',
    );
    expect(message({ robots: [{ name: "ci", project: "nope", access: ["repository:pull"] }] })).to.equal(
      'harbor-platform:harborConfig.robots[0].project = "nope": a project declared in harborConfig.projects',
    );
    expect(
      message({
        projects: [{ name: "apps" }],
        robots: [
          { name: "ci", project: "apps", access: ["repository:pull"] },
          { name: "ci", project: "apps", access: ["repository:push"] },
        ],
      }),
    ).to.equal('harbor-platform:harborConfig.robots[1].name = "ci": a name not used by another entry');
    expect(message({ projekts: [] })).to.match(
      /^harbor-platform:harborConfig\.projekts = \[\]: unknown key; allowed keys of harborConfig: /,
    );
  });
});
