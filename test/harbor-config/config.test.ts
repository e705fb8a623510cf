// The harborConfig schema and its shaping: per-topology defaults, secret references, and
// preview-time errors asserted by their exact one-line text: what the mandatory policy pack
// would refuse (judged by the policies themselves), what Harbor 2.15.2 would refuse (cited from
// goharbor/harbor at tag v2.15.2), and control characters in any string.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { requiredSecretKeys } from "../../config/harbor-config";
import { pathKey } from "../../config/schema/errors";
import { HARBOR_CONFIG_SCHEMA } from "../../config/schema/harbor-config";
import { HARBOR_LIMITS } from "../../config/schema/harbor-limits";
import { FIELDS, HARBOR_TYPES } from "../../policy/lib/harbor-resources";
import { harborDefaultQuota } from "../../policy/policies/harbor-default-quota";
import { GC_LIMITS, harborGcSchedule } from "../../policy/policies/harbor-gc-schedule";
import { harborProjectQuota } from "../../policy/policies/harbor-project-quota";
import { check, resource } from "../policy/helpers";
import { upstreamFile } from "../upstream";
import { parseHarborConfiguration } from "../config/sections";

type Raw = Record<string, unknown>;
const message = (raw: unknown, topology: "dev" | "prod" = "prod"): string => {
  try {
    parseHarborConfiguration(raw, topology);
  } catch (e) {
    expect((e as Error).message.split("\n")).to.have.length(1, "one line");
    return (e as Error).message;
  }
  return "(no error)";
};
const accepts = (raw: unknown): boolean => message(raw) === "(no error)";

/** Every field of the schema, set (OIDC login). */
const EVERY_FIELD: Raw = {
  settings: {
    projectQuota: "200Gi",
    projectCreationRestriction: "adminonly",
    robotTokenDays: 30,
    auditLogForwardEndpoint: "logs.example.com:514",
    auth: {
      mode: "oidc",
      oidc: {
        name: "sso",
        endpoint: "https://sso.example.com/realms/main",
        clientId: "harbor",
        clientSecret: { secretKey: "oidcClientSecret" },
        scope: "openid,email",
        groupsClaim: "groups",
        adminGroup: "harbor-admins",
        userClaim: "preferred_username",
        verifyCert: true,
        autoOnboard: true,
      },
    },
  },
  gc: { cron: "0 0 3 * * 6", deleteUntagged: true, workers: 2 },
  auditLogPurge: { cron: "0 0 4 * * 0", retentionHours: 720, eventTypes: ["pull_artifact"] },
  scanAll: { cron: "0 0 2 * * *" },
  dockerHubProxy: true,
  registries: [
    {
      name: "dr",
      type: "harbor",
      url: "https://dr.example.com",
      insecure: false,
      credential: { accessKey: "robot$dr", accessSecret: { secretKey: "drRegistrySecret" } },
    },
  ],
  projects: [
    {
      name: "apps",
      public: false,
      quota: "50Gi",
      scanOnPush: true,
      preventVulnerable: "high",
      cosign: true,
      cveAllowlist: ["CVE-2024-12345"],
      retention: {
        cron: "0 0 1 * * *",
        rules: [{ template: "latestPushedK", count: 10, repositories: "**", tags: "**", untagged: true }],
      },
      immutableTags: [{ repositories: "**", tags: "v*" }],
    },
    { name: "upstream", proxyCache: { registry: "dr" } },
  ],
  robots: [
    {
      name: "ci",
      project: "apps",
      access: ["repository:pull"],
      description: "CI",
      duration: 90,
      rotation: "2026-01",
      rotateEveryDays: 30,
      expiryWarningDays: 14,
      pullSecretNamespaces: ["apps"],
    },
    { name: "scanner", system: ["project:list"], projects: { "*": ["repository:pull"] } },
  ],
  replications: [
    {
      name: "apps-to-dr",
      registry: "dr",
      sourceProject: "apps",
      tags: "**",
      destNamespace: "apps",
      trigger: "scheduled",
      cron: "0 0 2 * * *",
      deletion: false,
      override: true,
      enabled: true,
    },
  ],
};

/** The LDAP login, every field set. */
const LDAP: Raw = {
  settings: {
    auth: {
      mode: "ldap",
      ldap: {
        url: "ldaps://ldap.example.com:636",
        searchDn: "cn=harbor,dc=example,dc=com",
        searchPassword: { secretKey: "ldapPassword" },
        baseDn: "dc=example,dc=com",
        filter: "(objectClass=person)",
        uid: "uid",
        scope: 2,
        verifyCert: true,
      },
    },
  },
};

// -- walking the schema: the leaves (fields with no fields of their own) and where they are --

type Segment = string | "[]" | "{}";

/** Each leaf of `schema` as the segments leading to it ("[]" any element, "{}" any map value). */
function leaves(schema: z.ZodType, at: Segment[] = []): Segment[][] {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    options?: z.ZodType[];
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
  };
  if (def.innerType) return leaves(def.innerType, at);
  if (def.type === "pipe" && def.in) return leaves(def.in, at);
  if (def.type === "union" && def.options)
    return def.options.flatMap((o) => (o._zod.def.type === "literal" ? [] : leaves(o, at)));
  if (def.shape) return Object.entries(def.shape).flatMap(([k, s]) => leaves(s, [...at, k]));
  if (def.type === "array" && def.element) return leaves(def.element, [...at, "[]"]);
  if (def.type === "record" && def.valueType) return leaves(def.valueType, [...at, "{}"]);
  return [at];
}

/** The first place in `value` matching `segments`, as a concrete path. */
function locate(
  value: unknown,
  segments: readonly Segment[],
  at: PropertyKey[] = [],
): PropertyKey[] | undefined {
  if (segments.length === 0) return value === undefined ? undefined : at;
  if (value === null || typeof value !== "object") return undefined;
  const [s, ...rest] = segments;
  const keys: PropertyKey[] =
    s === "[]" ? (value as unknown[]).map((_, i) => i) : s === "{}" ? Object.keys(value) : [s];
  for (const k of keys) {
    const found = locate((value as Record<PropertyKey, unknown>)[k], rest, [...at, k]);
    if (found) return found;
  }
  return undefined;
}

function setAt(value: unknown, path: readonly PropertyKey[], set: (v: unknown) => unknown): unknown {
  const copy = structuredClone(value) as Record<PropertyKey, unknown>;
  let o = copy;
  for (const p of path.slice(0, -1)) o = o[p] as Record<PropertyKey, unknown>;
  const last = path[path.length - 1];
  o[last] = set(o[last]);
  return copy;
}

describe("harborConfig schema", () => {
  it("prod defaults: weekly GC deleting untagged, default quota, Docker Hub proxy cache with adopted retention", () => {
    const spec = parseHarborConfiguration(undefined, "prod");
    expect(spec.gc).to.deep.equal({ cron: "0 0 3 * * 6", deleteUntagged: true, workers: 2 });
    expect(spec.settings.projectQuotaBytes).to.equal(100 * 2 ** 30);
    expect(spec.settings.projectCreationRestriction).to.equal("adminonly");
    expect(spec.registries.map((r) => [r.name, r.type])).to.deep.equal([["dockerhub", "docker-hub"]]);
    expect(spec.projects[0]).to.include({ name: "dockerhub", proxyCacheRegistry: "dockerhub" });
    expect(spec.projects[0].retention?.rules[0]).to.include({ template: "nDaysSinceLastPull", count: 7 });
    expect(spec.scanAll).to.deep.equal({ cron: "0 0 2 * * *" });
    expect(spec.auditLogPurge).to.deep.equal({
      cron: "0 0 4 * * 0",
      retentionHours: 720,
      eventTypes: ["create_artifact", "delete_artifact", "pull_artifact"],
    });
  });

  it("dev defaults are lighter: no proxy cache, no scan-all, 20Gi quota, anyone may create projects", () => {
    const spec = parseHarborConfiguration({}, "dev");
    expect([spec.registries, spec.projects, spec.scanAll]).to.deep.equal([[], [], undefined]);
    expect(spec.settings).to.include({
      projectQuotaBytes: 20 * 2 ** 30,
      projectCreationRestriction: "everyone",
    });
    expect(spec.gc.workers).to.equal(1);
    expect(spec.auditLogPurge?.retentionHours).to.equal(168);
  });

  it("accepts every field (OIDC or LDAP login) and passes each on", () => {
    const spec = parseHarborConfiguration(EVERY_FIELD, "prod");
    expect(spec.settings.auth).to.include({ kind: "oidc", adminGroup: "harbor-admins", autoOnboard: true });
    expect(spec.replications[0]).to.include({ cron: "0 0 2 * * *", destNamespace: "apps" });
    expect(spec.projects.map((p) => [p.name, p.proxyCacheRegistry])).to.deep.equal([
      ["dockerhub", "dockerhub"],
      ["apps", undefined],
      ["upstream", "dr"],
    ]);
    expect(parseHarborConfiguration(LDAP, "prod").settings.auth).to.include({
      kind: "ldap",
      scope: 2,
      filter: "(objectClass=person)",
    });
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

  it("declares projects and robots; a project named like a default replaces it; optional schedules can be turned off", () => {
    const spec = parseHarborConfiguration(
      {
        scanAll: false,
        auditLogPurge: false,
        projects: [
          { name: "apps", quota: "10Gi", preventVulnerable: "high" },
          { name: "dockerhub", proxyCache: { registry: "dockerhub" }, quota: "1Ti" },
        ],
        robots: [
          { name: "ci", project: "apps", access: ["repository:pull", "repository:push"] },
          { name: "scanner", system: ["project:list"], projects: { "*": ["repository:pull"] } },
        ],
      },
      "prod",
    );
    expect([spec.scanAll, spec.auditLogPurge]).to.deep.equal([undefined, undefined]);
    expect(spec.projects.map((p) => [p.name, p.quotaBytes])).to.deep.equal([
      ["dockerhub", 2 ** 40],
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

  it("secrets are references to secret config keys, listed by requiredSecretKeys; one typed in their place is never shown", () => {
    const spec = parseHarborConfiguration(EVERY_FIELD, "prod");
    expect(requiredSecretKeys(spec)).to.deep.equal(["oidcClientSecret", "drRegistrySecret"]);
    const oidc = (clientSecret: unknown) => ({
      settings: {
        auth: { mode: "oidc", oidc: { endpoint: "https://sso.example.com", clientId: "h", clientSecret } },
      },
    });
    const refused =
      'harbor-platform:harborConfig.settings.auth.oidc.clientSecret = (secret): a reference to a secret config key, like { secretKey: "oidcClientSecret" } (never the secret itself)';
    expect(message(oidc("s3cr3t-value"))).to.equal(refused);
    expect(message(oidc({ secretKey: "s3cr3t value" }))).to.equal(refused);
    expect(message(oidc({ secretKey: "k", value: "s3cr3t" }))).to.equal(refused);
  });

  it("refuses bad input at preview with one clear line", () => {
    expect(message({ gc: { cron: "0 3 * * 6" } })).to.equal(
      'harbor-platform:harborConfig.gc.cron = "0 3 * * 6": a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6',
    );
    expect(message({ projects: [{ name: "apps", quota: -5 }] })).to.equal(
      "harbor-platform:harborConfig.projects[0].quota = -5: a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor's limit)",
    );
    expect(
      message({
        projects: [{ name: "apps" }],
        robots: [{ name: "ci", project: "apps", access: ["repository:fly"] }],
      }),
    ).to.equal(
      'harbor-platform:harborConfig.robots[0].access[0] = "repository:fly": a project permission Harbor 2.15 allows, written resource:action like repository:pull; actions Harbor allows on project resource repository: read, update, delete, list, pull, push',
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
    expect(message({ projekts: [] })).to.equal(
      "harbor-platform:harborConfig.projekts = []: unknown key; did you mean `projects`?",
    );
    expect(message({ gc: { workerz: 2 } })).to.equal(
      "harbor-platform:harborConfig.gc.workerz = 2: unknown key; did you mean `workers`?",
    );
    expect(message({ scanAll: "daily" })).to.equal(
      'harbor-platform:harborConfig.scanAll = "daily": false or an object',
    );
    expect(message({ robots: [{ name: "r", projects: ["apps"] }] })).to.equal(
      'harbor-platform:harborConfig.robots[0].projects = ["apps"]: an object',
    );
    expect(message({ settings: { auth: { mode: "oidc" } } })).to.equal(
      "harbor-platform:harborConfig.settings.auth.oidc = (unset): required when mode is oidc",
    );
    expect(
      message({
        projects: [{ name: "apps", retention: { rules: [{ template: "latestPushedK" }] } }],
      }),
    ).to.equal(
      "harbor-platform:harborConfig.projects[0].retention.rules[0].count = (unset): required with template latestPushedK: an integer from 1 to 10000",
    );
    expect(
      message({
        replications: [{ name: "r", registry: "dockerhub", sourceProject: "a", trigger: "scheduled" }],
      }),
    ).to.equal(
      "harbor-platform:harborConfig.replications[0].cron = (unset): required with trigger: scheduled (6-field cron, seconds 0)",
    );
  });

  describe("refuses what the mandatory policy pack would refuse at preview, naming the policy", () => {
    it("harbor-project-quota: a project's unlimited (-1) or zero quota", async () => {
      expect(message({ projects: [{ name: "apps", quota: -1 }] })).to.equal(
        "harbor-platform:harborConfig.projects[0].quota = -1: a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor's limit); the mandatory policy harbor-project-quota refuses -1 (unlimited): every quota must be finite",
      );
      expect(message({ projects: [{ name: "apps", quota: "0" }] })).to.contain(
        "the mandatory policy harbor-project-quota refuses 0",
      );
      // The config accepts a quota exactly when the policy passes the bytes it registers.
      for (const quota of [-1, 0, 1, "1", "1Gi", "500G", 2 ** 50]) {
        const raw = { projects: [{ name: "apps", quota }] };
        const bytes = accepts(raw) ? parseHarborConfiguration(raw, "prod").projects[1].quotaBytes : quota;
        const project = resource(HARBOR_TYPES.project, { [FIELDS.projectStorageLimit]: bytes });
        const passes = (await check(harborProjectQuota, [project])).length === 0;
        expect(accepts(raw), String(quota)).to.equal(passes);
      }
    });

    it("harbor-default-quota: an unlimited default project quota", async () => {
      expect(message({ settings: { projectQuota: "-1" } })).to.equal(
        'harbor-platform:harborConfig.settings.projectQuota = "-1": a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor\'s limit); the mandatory policy harbor-default-quota refuses -1 (unlimited): every quota must be finite',
      );
      const settings = (bytes: number) =>
        resource(HARBOR_TYPES.systemSettings, {
          [FIELDS.systemValues]: { [FIELDS.systemStoragePerProject]: bytes },
        });
      expect(await check(harborDefaultQuota, [settings(-1)])).to.have.length(1);
      expect(
        await check(harborDefaultQuota, [
          settings(parseHarborConfiguration({}, "dev").settings.projectQuotaBytes),
        ]),
      ).to.deep.equal([]);
    });

    it("harbor-gc-schedule: no GC, a GC keeping untagged artifacts, a GC rarer than the policy's limit", async () => {
      expect(message({ gc: false })).to.equal(
        "harbor-platform:harborConfig.gc = false: a GC schedule: the mandatory policy harbor-gc-schedule refuses a stack without one",
      );
      expect(message({ gc: { deleteUntagged: false } })).to.equal(
        "harbor-platform:harborConfig.gc.deleteUntagged = false: true: the mandatory policy harbor-gc-schedule refuses a GC that keeps untagged artifacts",
      );
      expect(message({ gc: { cron: "0 0 3 1 * *" } })).to.equal(
        `harbor-platform:harborConfig.gc.cron = "0 0 3 1 * *": a GC schedule that runs at least every ${GC_LIMITS.maxIntervalDays} days: the mandatory policy harbor-gc-schedule refuses this one, which can leave 31 days between runs`,
      );
      // The policy's own findings, for the same values.
      const gc = (props: Raw) => resource(HARBOR_TYPES.gcSchedule, { deleteUntagged: true, ...props });
      const project = resource(HARBOR_TYPES.project, { quotaBytes: 1 });
      expect(await check(harborGcSchedule, [project])).to.have.length(1);
      expect(
        await check(harborGcSchedule, [gc({ cron: "0 0 3 * * 6", deleteUntagged: false })]),
      ).to.have.length(1);
      // The config accepts a GC schedule exactly when the policy (at its default limit) passes it.
      for (const cron of [
        "0 0 3 * * 6",
        "0 0 3 * * *",
        "0 0 1 */7 * *",
        "0 0 1 */8 * *",
        "0 0 3 1 * *",
        "0 0 3 1,15 * *",
        "0 0 3 * * 1,5",
        "0 0 0 1 1 *",
      ]) {
        const passes = (await check(harborGcSchedule, [gc({ cron })])).length === 0;
        expect(accepts({ gc: { cron } }), cron).to.equal(passes);
      }
    });
  });

  describe("refuses what Harbor 2.15.2's API would refuse or rewrite", () => {
    it("the limits Harbor's API spec states are the config's (swagger-v2.15.2.yaml)", () => {
      const swagger = parseYaml(readFileSync(upstreamFile("harbor-api", "swagger-v2.15.2.yaml"), "utf8")) as {
        definitions: Record<
          string,
          { properties: Record<string, { maxLength?: number; description?: string }> }
        >;
      };
      const { ProjectReq, RobotCreate } = swagger.definitions;
      expect(ProjectReq.properties.project_name.maxLength).to.equal(HARBOR_LIMITS.projectName);
      expect(RobotCreate.properties.duration.description).to.contain(
        "either -1(Never) or a positive integer",
      );
    });

    it("project, robot and registry names (pkg/project/manager.go, handler/robot.go validateName, controller/registry/controller.go)", () => {
      expect(message({ projects: [{ name: "Apps" }] })).to.equal(
        "harbor-platform:harborConfig.projects[0].name = \"Apps\": a project name Harbor accepts: lower-case letters and digits, separated by single '.', '_' or '-', at most 255",
      );
      expect(accepts({ projects: [{ name: "a".repeat(255) }] })).to.equal(true);
      expect(message({ projects: [{ name: "a".repeat(256) }] })).to.contain("at most 255");
      expect(message({ projects: [{ name: "a..b" }] })).to.contain("a project name Harbor accepts");
      expect(
        message({
          projects: [{ name: "apps" }],
          robots: [{ name: "CI Bot", project: "apps", access: ["repository:pull"] }],
        }),
      ).to.equal(
        "harbor-platform:harborConfig.robots[0].name = \"CI Bot\": a robot name Harbor accepts: lower-case letters and digits, separated by single '.', '_' or '-', at most 255",
      );
      // A project robot is stored as <project>+<name> in robot.name varchar(255).
      const long = "p".repeat(200);
      expect(
        message({
          projects: [{ name: long }],
          robots: [{ name: "r".repeat(55), project: long, access: ["repository:pull"] }],
        }),
      ).to.equal(
        `harbor-platform:harborConfig.robots[0].name = "${"r".repeat(55)}": a shorter name: Harbor stores a project robot as <project>+<name>, at most 255 characters (256 here)`,
      );
      const registry = (name: string) => ({
        registries: [{ name, type: "harbor", url: "https://r.example.com" }],
      });
      expect(accepts(registry("r".repeat(64)))).to.equal(true);
      expect(message(registry("r".repeat(65))))
        .to.contain("a registry name: lower-case")
        .and.contain("at most 64");
    });

    it("registry URLs Harbor would store differently (lib/endpoint.go ValidateHTTPURL keeps scheme://host/path)", () => {
      const url = (u: string) => message({ registries: [{ name: "r", type: "harbor", url: u }] });
      for (const u of [
        "https://r.example.com/",
        "https://r.example.com/v2/",
        "https://r.example.com?x=1",
        "https://r.example.com#top",
        "https://user:pw@r.example.com",
        "http://r.example.com",
        "https://r.example.com/a b",
      ]) {
        expect(url(u), u).to.contain(
          "an https:// URL with no credentials, query, fragment or trailing '/', like https://registry.example.com",
        );
      }
      expect(url("https://r.example.com:8443/path")).to.equal("(no error)");
    });

    it("crons: the seconds field 0 (common/utils/utils.go ValidateCronString); replication minutes not * (controller/replication/model/model.go)", () => {
      expect(message({ gc: { cron: "5 0 3 * * 6" } })).to.equal(
        'harbor-platform:harborConfig.gc.cron = "5 0 3 * * 6": a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6; the seconds field must be 0',
      );
      expect(message({ scanAll: { cron: "@daily" } })).to.contain(
        "descriptors like @daily are not accepted here",
      );
      const replication = (cron: string) => ({
        registries: [{ name: "dr", type: "harbor", url: "https://dr.example.com" }],
        replications: [{ name: "r", registry: "dr", sourceProject: "apps", trigger: "scheduled", cron }],
      });
      expect(message(replication("0 * 3 * * *"))).to.equal(
        'harbor-platform:harborConfig.replications[0].cron = "0 * 3 * * *": a replication schedule whose minutes field is not * (Harbor refuses * there)',
      );
      expect(accepts(replication("0 */5 * * * *"))).to.equal(true);
    });

    it("numbers: GC workers (handler/gc.go), audit retention (common/const.go), robot lifetime (handler/robot.go), retention rules (handler/retention.go), quota (pkg/quota/types)", () => {
      expect(message({ gc: { workers: 11 } })).to.equal(
        "harbor-platform:harborConfig.gc.workers = 11: an integer from 1 to 10",
      );
      expect(message({ auditLogPurge: { retentionHours: 240001 } })).to.equal(
        "harbor-platform:harborConfig.auditLogPurge.retentionHours = 240001: an integer from 1 to 240000",
      );
      const robot = (duration: unknown) => ({
        projects: [{ name: "apps" }],
        robots: [{ name: "ci", project: "apps", access: ["repository:pull"], duration }],
      });
      expect(accepts(robot(-1))).to.equal(true);
      expect(accepts(robot(2 ** 31 - 2))).to.equal(true);
      for (const d of [0, -2, 2 ** 31 - 1])
        expect(message(robot(d)), String(d)).to.contain(
          "-1 (never expires) or a number of days from 1 to 2147483646",
        );
      const rules = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ template: "latestPushedK", count: i + 1 }));
      expect(accepts({ projects: [{ name: "a", retention: { rules: rules(15) } }] })).to.equal(true);
      expect(message({ projects: [{ name: "a", retention: { rules: rules(16) } }] })).to.match(
        /^harbor-platform:harborConfig\.projects\[0\]\.retention\.rules = .*: at most 15 rules \(Harbor's limit\)$/,
      );
      expect(accepts({ projects: [{ name: "a", quota: "1Pi" }] })).to.equal(true);
      expect(message({ projects: [{ name: "a", quota: 2 ** 50 + 1 }] })).to.contain(
        "at most 1Pi (Harbor's limit)",
      );
    });

    it("duplicates Harbor answers 409 for: equal retention rules (handler/retention.go checkRuleConflict), equal immutable-tag rules (immutable_tag_rule UNIQUE)", () => {
      expect(
        message({
          projects: [
            { name: "a", retention: { rules: [{ template: "always" }, { template: "always", tags: "**" }] } },
          ],
        }),
      ).to.equal(
        'harbor-platform:harborConfig.projects[0].retention.rules[1] = {"template":"always","repositories":"**","tags":"**","untagged":true,"count":0}: a retention rule unlike the others (Harbor refuses a duplicate)',
      );
      expect(
        message({
          projects: [{ name: "a", immutableTags: [{ tags: "v*" }, { repositories: "**", tags: "v*" }] }],
        }),
      ).to.equal(
        'harbor-platform:harborConfig.projects[0].immutableTags[1] = {"repositories":"**","tags":"v*"}: an immutable-tag rule unlike the others (Harbor refuses a duplicate)',
      );
    });

    it("proxy caches only of the registry types the chart permits (harbor-helm 1.19.2 templates/core/core-cm.yaml PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE)", () => {
      expect(
        message({
          registries: [{ name: "q", type: "quay", url: "https://quay.io" }],
          projects: [{ name: "q", proxyCache: { registry: "q" } }],
        }),
      ).to.equal(
        'harbor-platform:harborConfig.projects[0].proxyCache.registry = "q": a registry of a type Harbor proxies (docker-hub, harbor, azure-acr, aws-ecr, google-gcr, docker-registry, github-ghcr, jfrog-artifactory); it is quay',
      );
    });

    it("the access key the google-gcr and quay adapters fix (pkg/reg/adapter/googlegcr, quay: AccessKeyTypeFix)", () => {
      const gcr = (credential: Raw) => ({
        registries: [{ name: "g", type: "google-gcr", url: "https://gcr.io", credential }],
      });
      const spec = parseHarborConfiguration(gcr({ accessSecret: { secretKey: "gcrKey" } }), "dev");
      expect(spec.registries[0].credential?.accessKey).to.equal("_json_key");
      expect(message(gcr({ accessKey: "me", accessSecret: { secretKey: "gcrKey" } }))).to.equal(
        'harbor-platform:harborConfig.registries[0].credential.accessKey = "me": _json_key (Harbor\'s google-gcr adapter fixes it; the key file is the accessSecret)',
      );
      expect(
        message({
          registries: [
            {
              name: "h",
              type: "harbor",
              url: "https://h.example.com",
              credential: { accessSecret: { secretKey: "k" } },
            },
          ],
        }),
      ).to.equal(
        "harbor-platform:harborConfig.registries[0].credential.accessKey = (unset): required for registry type harbor",
      );
    });

    it("audit-log event types the purge job knows (pkg/auditext/model/model.go; others are skipped silently)", () => {
      expect(message({ auditLogPurge: { eventTypes: ["pull_artifacts"] } })).to.match(
        /^harbor-platform:harborConfig\.auditLogPurge\.eventTypes\[0\] = "pull_artifacts": one of create_artifact, delete_artifact, pull_artifact, /,
      );
    });
  });

  describe("control characters", () => {
    const examples = [EVERY_FIELD, LDAP];
    const all = leaves(HARBOR_CONFIG_SCHEMA);

    it("the examples set every field of the schema", () => {
      const unset = all.filter((segments) => examples.every((e) => locate(e, segments) === undefined));
      expect(unset.map((s) => s.join("."))).to.deep.equal([]);
    });

    it("every string field refuses them, naming that field", () => {
      let strings = 0;
      for (const segments of all) {
        for (const example of examples) {
          const at = locate(example, segments);
          if (at === undefined) continue;
          const where = `harbor-platform:${pathKey("harborConfig", at)} = `;
          const [value] = [at.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown>)[p], example)];
          const inject = (s: string) => `${s}\u0007`;
          let broken: unknown;
          if (typeof value === "string") broken = setAt(example, at, (v) => inject(v as string));
          else if (value !== null && typeof value === "object" && "secretKey" in value)
            broken = setAt(example, [...at, "secretKey"], (v) => inject(v as string));
          else continue;
          strings++;
          expect(message(broken), at.join(".")).to.satisfy((m: string) => m.startsWith(where));
          break;
        }
      }
      expect(strings, "string fields checked").to.be.greaterThan(40);
    });
  });
});
