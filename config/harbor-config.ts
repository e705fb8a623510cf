// Parser for the stack config key `harbor-platform:harborConfig`: Harbor's own settings,
// schedules, projects, robots, registries and replications, with per-topology defaults.
// Pure: no Pulumi calls. Secrets are never config values here, only references to other
// config keys (`{ secretKey: "oidcClientSecret" }`) that the loader reads with requireSecret.
import {
  ConfigError,
  Raw,
  bool,
  httpsUrl,
  int,
  isPlainObject,
  list,
  obj,
  oneOf,
  optStr,
  str,
} from "./validate";
import {
  REGISTRY_TYPES,
  RETENTION_TEMPLATES,
  RegistryType,
  RetentionTemplate,
  SEVERITIES,
  Severity,
  harborCron,
  permission,
  projectName,
  quota,
  robotDuration,
  robotName,
} from "../components/harbor-config/validation";
import { syslogEndpoint } from "./observability";
import { ROBOT_DELIVERY_KEYS, parseRobotDelivery, type RobotDeliverySpec } from "./schema/robots";

export const HARBOR_CONFIG_KEY = "harborConfig";

export interface SecretRef {
  readonly secretKey: string;
}
export interface OidcAuthSpec {
  readonly kind: "oidc";
  readonly name: string;
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: SecretRef;
  readonly scope: string;
  readonly groupsClaim: string;
  readonly adminGroup: string;
  readonly userClaim: string;
  readonly verifyCert: boolean;
  readonly autoOnboard: boolean;
}
export interface LdapAuthSpec {
  readonly kind: "ldap";
  readonly url: string;
  readonly searchDn: string;
  readonly searchPassword: SecretRef;
  readonly baseDn: string;
  readonly filter: string;
  readonly uid: string;
  /** 0 base, 1 one level, 2 subtree (Harbor's ldap_scope). */
  readonly scope: number;
  readonly verifyCert: boolean;
}
export interface SettingsSpec {
  /** Default storage quota of new projects in bytes; -1 unlimited. */
  readonly projectQuotaBytes: number;
  readonly projectCreationRestriction: "adminonly" | "everyone";
  readonly robotTokenDays: number;
  /** host:port of a syslog endpoint; "" leaves forwarding off. */
  readonly auditLogForwardEndpoint: string;
  readonly auth?: OidcAuthSpec | LdapAuthSpec;
}
export interface GcSpec {
  readonly cron: string;
  readonly deleteUntagged: boolean;
  readonly workers: number;
}
export interface AuditLogPurgeSpec {
  readonly cron: string;
  readonly retentionHours: number;
  readonly eventTypes: readonly string[];
}
export interface ScanAllSpec {
  readonly cron: string;
}
export interface RegistrySpec {
  readonly name: string;
  readonly type: RegistryType;
  readonly url: string;
  readonly insecure: boolean;
  readonly credential?: { readonly accessKey: string; readonly accessSecret: SecretRef };
}
export interface RetentionRuleSpec {
  readonly template: RetentionTemplate;
  /** The template's parameter (count or days); 0 for "always". */
  readonly count: number;
  readonly repositories: string;
  readonly tags: string;
  readonly untagged: boolean;
}
export interface RetentionSpec {
  readonly cron: string;
  readonly rules: readonly RetentionRuleSpec[];
}
export interface ImmutableRuleSpec {
  readonly repositories: string;
  readonly tags: string;
}
export interface ProjectSpec {
  readonly name: string;
  readonly public: boolean;
  readonly quotaBytes: number;
  readonly scanOnPush: boolean;
  /** Block pulls of images with vulnerabilities at or above this severity; "none" disables. */
  readonly preventVulnerable: Severity;
  readonly cosign: boolean;
  readonly cveAllowlist: readonly string[];
  /** Name of a declared registry: makes this a proxy-cache project. */
  readonly proxyCacheRegistry?: string;
  readonly retention?: RetentionSpec;
  readonly immutableTags: readonly ImmutableRuleSpec[];
}
export interface RobotAccess {
  readonly resource: string;
  readonly action: string;
}
export interface RobotPermissionSpec {
  readonly kind: "system" | "project";
  /** "/" for system scope, a project name, or "*" for all projects. */
  readonly namespace: string;
  readonly access: readonly RobotAccess[];
}
export interface RobotSpec extends RobotDeliverySpec {
  readonly name: string;
  readonly level: "system" | "project";
  /** Project of a project-level robot. */
  readonly project?: string;
  readonly description: string;
  /** Lifetime in days; -1 never expires. */
  readonly durationDays: number;
  readonly permissions: readonly RobotPermissionSpec[];
  /** Change this value to rotate the robot's secret. */
  readonly rotation: string;
}
export interface ReplicationSpec {
  readonly name: string;
  readonly registry: string;
  readonly sourceProject: string;
  readonly tags: string;
  readonly destNamespace: string;
  readonly trigger: "manual" | "event_based" | "scheduled";
  readonly cron: string;
  readonly deletion: boolean;
  readonly override: boolean;
  readonly enabled: boolean;
}
export interface HarborConfigurationSpec {
  readonly settings: SettingsSpec;
  readonly gc?: GcSpec;
  readonly auditLogPurge?: AuditLogPurgeSpec;
  readonly scanAll?: ScanAllSpec;
  readonly registries: readonly RegistrySpec[];
  readonly projects: readonly ProjectSpec[];
  readonly robots: readonly RobotSpec[];
  readonly replications: readonly ReplicationSpec[];
}

export type Topology = "dev" | "prod";

/** Defaults per topology; documented in docs/harbor-config.md. */
export const HARBOR_CONFIG_DEFAULTS = {
  prod: {
    projectQuota: "100Gi",
    projectCreationRestriction: "adminonly",
    gc: { cron: "0 0 3 * * 6", deleteUntagged: true, workers: 2 },
    auditLogPurge: { cron: "0 0 4 * * 0", retentionHours: 720 },
    scanAll: { cron: "0 0 2 * * *" },
    dockerHubProxy: true,
  },
  dev: {
    projectQuota: "20Gi",
    projectCreationRestriction: "everyone",
    gc: { cron: "0 0 3 * * 6", deleteUntagged: true, workers: 1 },
    auditLogPurge: { cron: "0 0 4 * * 0", retentionHours: 168 },
    scanAll: undefined,
    dockerHubProxy: false,
  },
} as const;

/** The registry endpoint and proxy-cache project `dockerHubProxy: true` adds (names may be overridden by declaring the same name). */
export const DOCKER_HUB = {
  registry: "dockerhub",
  project: "dockerhub",
  url: "https://hub.docker.com",
} as const;
const DEFAULT_EVENT_TYPES = ["create_artifact", "delete_artifact", "pull_artifact"];
const TOP_KEYS = [
  "settings",
  "gc",
  "auditLogPurge",
  "scanAll",
  "dockerHubProxy",
  "registries",
  "projects",
  "robots",
  "replications",
];

export function parseHarborConfiguration(raw: unknown, topology: Topology): HarborConfigurationSpec {
  const k = `${HARBOR_CONFIG_KEY}`;
  const top = obj(k, raw ?? {}, TOP_KEYS);
  const d = HARBOR_CONFIG_DEFAULTS[topology];
  const settings = parseSettings(
    `${k}.settings`,
    top.settings ?? {},
    d.projectQuota,
    d.projectCreationRestriction,
  );
  const gc = schedule(`${k}.gc`, top.gc, d.gc, (key, v, def) => {
    const o = obj(key, v, ["cron", "deleteUntagged", "workers"]);
    return {
      cron: harborCron(`${key}.cron`, o.cron ?? def.cron),
      deleteUntagged: bool(`${key}.deleteUntagged`, o.deleteUntagged, def.deleteUntagged),
      // Harbor refuses workers outside 1..10 (handler/gc.go validateWorkers).
      workers: int(`${key}.workers`, o.workers, def.workers, 1, 10),
    };
  });
  const auditLogPurge = schedule(`${k}.auditLogPurge`, top.auditLogPurge, d.auditLogPurge, (key, v, def) => {
    const o = obj(key, v, ["cron", "retentionHours", "eventTypes"]);
    return {
      cron: harborCron(`${key}.cron`, o.cron ?? def.cron),
      // Harbor's MaxAuditRetentionHour is 240000.
      retentionHours: int(`${key}.retentionHours`, o.retentionHours, def.retentionHours, 1, 240000),
      eventTypes:
        o.eventTypes === undefined
          ? DEFAULT_EVENT_TYPES
          : nonEmpty(`${key}.eventTypes`, list(`${key}.eventTypes`, o.eventTypes)).map((e, i) =>
              str(`${key}.eventTypes[${i}]`, e),
            ),
    };
  });
  const scanAll = schedule(`${k}.scanAll`, top.scanAll, d.scanAll, (key, v, def) => {
    const o = obj(key, v, ["cron"]);
    return { cron: harborCron(`${key}.cron`, o.cron ?? def?.cron) };
  });
  const dockerHubProxy = bool(`${k}.dockerHubProxy`, top.dockerHubProxy, d.dockerHubProxy);

  const registries = uniqueByName(
    `${k}.registries`,
    [
      ...(dockerHubProxy ? [{ name: DOCKER_HUB.registry, type: "docker-hub", url: DOCKER_HUB.url }] : []),
      ...list(`${k}.registries`, top.registries ?? []),
    ],
    dockerHubProxy ? 1 : 0,
    parseRegistry,
  );
  const registryNames = new Set(registries.map((r) => r.name));
  const defaultProjects = dockerHubProxy
    ? [
        {
          name: DOCKER_HUB.project,
          proxyCache: { registry: DOCKER_HUB.registry },
          // Harbor's own automatic policy for proxy caches, adopted and managed rather than duplicated.
          retention: { cron: "0 0 0 * * *", rules: [{ template: "nDaysSinceLastPull", count: 7 }] },
        },
      ]
    : [];
  const projects = uniqueByName(
    `${k}.projects`,
    [...defaultProjects, ...list(`${k}.projects`, top.projects ?? [])],
    defaultProjects.length,
    (key, v) => parseProject(key, v, settings.projectQuotaBytes, registryNames),
  );
  const projectNames = new Set(projects.map((p) => p.name));
  // Harbor names a project robot robot$<project>+<name>: "ci" may exist once per project.
  const robots = uniqueByName(
    `${k}.robots`,
    list(`${k}.robots`, top.robots ?? []),
    0,
    (key, v) => parseRobot(key, v, projectNames),
    (r) => `${r.project ?? ""}+${r.name}`,
  );
  const replications = uniqueByName(
    `${k}.replications`,
    list(`${k}.replications`, top.replications ?? []),
    0,
    (key, v) => parseReplication(key, v, registryNames),
  );
  return { settings, gc, auditLogPurge, scanAll, registries, projects, robots, replications };
}

/** The config keys whose secret values the spec references (read them with config.requireSecret). */
export function requiredSecretKeys(spec: HarborConfigurationSpec): string[] {
  const keys: string[] = [];
  const auth = spec.settings.auth;
  if (auth?.kind === "oidc") keys.push(auth.clientSecret.secretKey);
  if (auth?.kind === "ldap") keys.push(auth.searchPassword.secretKey);
  for (const r of spec.registries) if (r.credential) keys.push(r.credential.accessSecret.secretKey);
  return [...new Set(keys)];
}

/** `false` turns a schedule off; an object overrides the defaults field by field. */
function schedule<T, D>(
  key: string,
  value: Raw,
  def: D,
  parse: (key: string, v: Raw, def: D) => T,
): T | undefined {
  if (value === false) return undefined;
  if (value === undefined && def === undefined) return undefined;
  return parse(key, value ?? {}, def);
}

/**
 * Identities must be unique (the name, unless `identity` says what Harbor keys the object by);
 * an entry that reuses the identity of one of the first `defaults` entries (the topology
 * defaults) replaces it. Linear in the number of entries.
 */
function uniqueByName<T extends { name: string }>(
  key: string,
  entries: unknown[],
  defaults: number,
  parse: (key: string, v: Raw) => T,
  identity: (entry: T) => string = (entry) => entry.name,
): T[] {
  const byName = new Map<string, { index: number; fromDefault: boolean }>();
  const out: T[] = [];
  entries.forEach((entry, i) => {
    const idx = i - defaults;
    const parsed = parse(idx < 0 ? `${key}(default ${i})` : `${key}[${idx}]`, entry);
    const id = identity(parsed);
    const seen = byName.get(id);
    if (seen && !seen.fromDefault) {
      throw new ConfigError(`${key}[${idx}].name`, parsed.name, "a name not used by another entry");
    }
    if (seen) {
      out[seen.index] = parsed;
      byName.set(id, { index: seen.index, fromDefault: false });
    } else {
      byName.set(id, { index: out.length, fromDefault: idx < 0 });
      out.push(parsed);
    }
  });
  return out;
}

function nonEmpty(key: string, values: unknown[]): unknown[] {
  if (values.length === 0) throw new ConfigError(key, values, "a non-empty list");
  return values;
}

function secretRef(key: string, value: Raw): SecretRef {
  const allowed =
    'a reference to a secret config value, like { secretKey: "oidcClientSecret" } (never the secret itself)';
  if (!isPlainObject(value))
    throw new ConfigError(key, typeof value === "string" ? "(a plain string)" : value, allowed);
  const o = obj(key, value, ["secretKey"]);
  if (typeof o.secretKey !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(o.secretKey)) {
    throw new ConfigError(`${key}.secretKey`, o.secretKey, "a config key name like oidcClientSecret");
  }
  return { secretKey: o.secretKey };
}

function parseSettings(
  key: string,
  value: Raw,
  defQuota: string,
  defRestriction: "adminonly" | "everyone",
): SettingsSpec {
  const o = obj(key, value, [
    "projectQuota",
    "projectCreationRestriction",
    "robotTokenDays",
    "auditLogForwardEndpoint",
    "auth",
  ]);
  const endpoint = o.auditLogForwardEndpoint;
  if (endpoint !== undefined && endpoint !== "") syslogEndpoint(`${key}.auditLogForwardEndpoint`, endpoint);
  return {
    projectQuotaBytes: quota(`${key}.projectQuota`, o.projectQuota ?? defQuota),
    projectCreationRestriction: oneOf(
      `${key}.projectCreationRestriction`,
      o.projectCreationRestriction,
      ["adminonly", "everyone"] as const,
      defRestriction,
    ),
    robotTokenDays: int(`${key}.robotTokenDays`, o.robotTokenDays, 30, 1, 36500),
    auditLogForwardEndpoint: (endpoint as string | undefined) ?? "",
    auth: o.auth === undefined ? undefined : parseAuth(`${key}.auth`, o.auth),
  };
}

function parseAuth(key: string, value: Raw): OidcAuthSpec | LdapAuthSpec {
  const o = obj(key, value, ["mode", "oidc", "ldap"]);
  const mode = oneOf(`${key}.mode`, o.mode, ["oidc", "ldap"] as const);
  if (mode === "oidc") {
    const c = obj(`${key}.oidc`, o.oidc, [
      "name",
      "endpoint",
      "clientId",
      "clientSecret",
      "scope",
      "groupsClaim",
      "adminGroup",
      "userClaim",
      "verifyCert",
      "autoOnboard",
    ]);
    return {
      kind: "oidc",
      name: optStr(`${key}.oidc.name`, c.name, "oidc"),
      endpoint: httpsUrl(`${key}.oidc.endpoint`, c.endpoint),
      clientId: str(`${key}.oidc.clientId`, c.clientId),
      clientSecret: secretRef(`${key}.oidc.clientSecret`, c.clientSecret),
      scope: optStr(`${key}.oidc.scope`, c.scope, "openid,profile,email,offline_access"),
      groupsClaim: optStr(`${key}.oidc.groupsClaim`, c.groupsClaim, "groups"),
      adminGroup: c.adminGroup === undefined ? "" : str(`${key}.oidc.adminGroup`, c.adminGroup),
      userClaim: c.userClaim === undefined ? "" : str(`${key}.oidc.userClaim`, c.userClaim),
      verifyCert: bool(`${key}.oidc.verifyCert`, c.verifyCert, true),
      autoOnboard: bool(`${key}.oidc.autoOnboard`, c.autoOnboard, false),
    };
  }
  const c = obj(`${key}.ldap`, o.ldap, [
    "url",
    "searchDn",
    "searchPassword",
    "baseDn",
    "filter",
    "uid",
    "scope",
    "verifyCert",
  ]);
  const url = str(`${key}.ldap.url`, c.url);
  if (!/^ldaps?:\/\/[^\s/]+$/.test(url))
    throw new ConfigError(`${key}.ldap.url`, url, "an ldap:// or ldaps:// URL with no path");
  return {
    kind: "ldap",
    url,
    searchDn: str(`${key}.ldap.searchDn`, c.searchDn),
    searchPassword: secretRef(`${key}.ldap.searchPassword`, c.searchPassword),
    baseDn: str(`${key}.ldap.baseDn`, c.baseDn),
    filter: c.filter === undefined ? "" : str(`${key}.ldap.filter`, c.filter),
    uid: optStr(`${key}.ldap.uid`, c.uid, "uid"),
    scope: int(`${key}.ldap.scope`, c.scope, 2, 0, 2),
    verifyCert: bool(`${key}.ldap.verifyCert`, c.verifyCert, true),
  };
}

function parseRegistry(key: string, value: Raw): RegistrySpec {
  const o = obj(key, value, ["name", "type", "url", "insecure", "credential"]);
  let credential: RegistrySpec["credential"];
  if (o.credential !== undefined) {
    const c = obj(`${key}.credential`, o.credential, ["accessKey", "accessSecret"]);
    credential = {
      accessKey: str(`${key}.credential.accessKey`, c.accessKey),
      accessSecret: secretRef(`${key}.credential.accessSecret`, c.accessSecret),
    };
  }
  return {
    name: projectName(`${key}.name`, o.name),
    type: oneOf(`${key}.type`, o.type, REGISTRY_TYPES),
    url: httpsUrl(`${key}.url`, o.url),
    insecure: bool(`${key}.insecure`, o.insecure, false),
    credential,
  };
}

function parseProject(key: string, value: Raw, defQuota: number, registries: Set<string>): ProjectSpec {
  const o = obj(key, value, [
    "name",
    "public",
    "quota",
    "scanOnPush",
    "preventVulnerable",
    "cosign",
    "cveAllowlist",
    "proxyCache",
    "retention",
    "immutableTags",
  ]);
  let proxyCacheRegistry: string | undefined;
  if (o.proxyCache !== undefined) {
    const p = obj(`${key}.proxyCache`, o.proxyCache, ["registry"]);
    proxyCacheRegistry = str(`${key}.proxyCache.registry`, p.registry);
    if (!registries.has(proxyCacheRegistry)) {
      throw new ConfigError(
        `${key}.proxyCache.registry`,
        proxyCacheRegistry,
        `a registry declared in ${HARBOR_CONFIG_KEY}.registries`,
      );
    }
  }
  return {
    name: projectName(`${key}.name`, o.name),
    public: bool(`${key}.public`, o.public, false),
    quotaBytes: o.quota === undefined ? defQuota : quota(`${key}.quota`, o.quota),
    scanOnPush: bool(`${key}.scanOnPush`, o.scanOnPush, true),
    preventVulnerable: oneOf(`${key}.preventVulnerable`, o.preventVulnerable, SEVERITIES, "none"),
    cosign: bool(`${key}.cosign`, o.cosign, false),
    cveAllowlist: list(`${key}.cveAllowlist`, o.cveAllowlist ?? []).map((c, i) => {
      if (typeof c !== "string" || !/^CVE-\d{4}-\d{4,}$/.test(c)) {
        throw new ConfigError(`${key}.cveAllowlist[${i}]`, c, "a CVE id like CVE-2024-12345");
      }
      return c;
    }),
    proxyCacheRegistry,
    retention: o.retention === undefined ? undefined : parseRetention(`${key}.retention`, o.retention),
    immutableTags: list(`${key}.immutableTags`, o.immutableTags ?? []).map((r, i) => {
      const rk = `${key}.immutableTags[${i}]`;
      const ro = obj(rk, r, ["repositories", "tags"]);
      return {
        repositories: optStr(`${rk}.repositories`, ro.repositories, "**"),
        tags: str(`${rk}.tags`, ro.tags),
      };
    }),
  };
}

function parseRetention(key: string, value: Raw): RetentionSpec {
  const o = obj(key, value, ["cron", "rules"]);
  const rules = nonEmpty(`${key}.rules`, list(`${key}.rules`, o.rules)).map((r, i) => {
    const rk = `${key}.rules[${i}]`;
    const ro = obj(rk, r, ["template", "count", "repositories", "tags", "untagged"]);
    const template = oneOf(`${rk}.template`, ro.template, RETENTION_TEMPLATES);
    return {
      template,
      count: template === "always" ? 0 : int(`${rk}.count`, ro.count ?? "", 0, 1, 10000),
      repositories: optStr(`${rk}.repositories`, ro.repositories, "**"),
      tags: optStr(`${rk}.tags`, ro.tags, "**"),
      untagged: bool(`${rk}.untagged`, ro.untagged, true),
    };
  });
  if (rules.length > 15)
    throw new ConfigError(`${key}.rules`, `${rules.length} rules`, "at most 15 rules (Harbor's limit)");
  return { cron: harborCron(`${key}.cron`, o.cron ?? "0 0 0 * * *"), rules };
}

function parseRobot(key: string, value: Raw, projects: Set<string>): RobotSpec {
  const o = obj(key, value, [
    "name",
    "project",
    "access",
    "system",
    "projects",
    "description",
    "duration",
    "rotation",
    ...ROBOT_DELIVERY_KEYS,
  ]);
  const name = robotName(`${key}.name`, o.name);
  const declared = (k: string, p: string, allowAll: boolean): string => {
    if ((allowAll && p === "*") || projects.has(p)) return p;
    throw new ConfigError(
      k,
      p,
      `a project declared in ${HARBOR_CONFIG_KEY}.projects${allowAll ? ' or "*" for all projects' : ""}`,
    );
  };
  const accessList = (k: string, v: Raw, level: "system" | "project"): RobotAccess[] =>
    nonEmpty(k, list(k, v)).map((a, i) => permission(`${k}[${i}]`, a, level));
  const durationDays = robotDuration(`${key}.duration`, o.duration, 90);
  const common = {
    name,
    description: o.description === undefined ? "" : str(`${key}.description`, o.description),
    durationDays,
    rotation: o.rotation === undefined ? "" : str(`${key}.rotation`, String(o.rotation)),
    ...parseRobotDelivery(key, o, durationDays),
  };
  if (o.project !== undefined) {
    if (o.system !== undefined || o.projects !== undefined) {
      throw new ConfigError(
        key,
        Object.keys(o),
        "either project + access (a project robot) or system/projects (a system robot), not both",
      );
    }
    const project = declared(`${key}.project`, str(`${key}.project`, o.project), false);
    const access = accessList(`${key}.access`, o.access, "project");
    return {
      ...common,
      level: "project",
      project,
      permissions: [{ kind: "project", namespace: project, access }],
    };
  }
  if (o.access !== undefined)
    throw new ConfigError(
      `${key}.access`,
      o.access,
      "only with project; a system robot uses system and projects",
    );
  const permissions: RobotPermissionSpec[] = [];
  if (o.system !== undefined)
    permissions.push({
      kind: "system",
      namespace: "/",
      access: accessList(`${key}.system`, o.system, "system"),
    });
  if (o.projects !== undefined) {
    const m = o.projects;
    if (!isPlainObject(m))
      throw new ConfigError(
        `${key}.projects`,
        m,
        'a map of project name (or "*") to a list of resource:action',
      );
    for (const [p, acc] of Object.entries(m)) {
      declared(`${key}.projects.${p}`, p, true);
      permissions.push({
        kind: "project",
        namespace: p,
        access: accessList(`${key}.projects.${p}`, acc, "project"),
      });
    }
  }
  if (permissions.length === 0) {
    throw new ConfigError(
      key,
      value,
      "a robot needs permissions: project + access, or system and/or projects",
    );
  }
  return { ...common, level: "system", permissions };
}

function parseReplication(key: string, value: Raw, registries: Set<string>): ReplicationSpec {
  const o = obj(key, value, [
    "name",
    "registry",
    "sourceProject",
    "tags",
    "destNamespace",
    "trigger",
    "cron",
    "deletion",
    "override",
    "enabled",
  ]);
  const registry = str(`${key}.registry`, o.registry);
  if (!registries.has(registry))
    throw new ConfigError(
      `${key}.registry`,
      registry,
      `a registry declared in ${HARBOR_CONFIG_KEY}.registries`,
    );
  const trigger = oneOf(
    `${key}.trigger`,
    o.trigger,
    ["manual", "event_based", "scheduled"] as const,
    "event_based",
  );
  if (trigger !== "scheduled" && o.cron !== undefined)
    throw new ConfigError(`${key}.cron`, o.cron, "only with trigger: scheduled");
  return {
    name: robotName(`${key}.name`, o.name),
    registry,
    sourceProject: projectName(`${key}.sourceProject`, o.sourceProject),
    tags: optStr(`${key}.tags`, o.tags, "**"),
    destNamespace: o.destNamespace === undefined ? "" : projectName(`${key}.destNamespace`, o.destNamespace),
    trigger,
    cron: trigger === "scheduled" ? harborCron(`${key}.cron`, o.cron) : "",
    deletion: bool(`${key}.deletion`, o.deletion, false),
    override: bool(`${key}.override`, o.override, true),
    enabled: bool(`${key}.enabled`, o.enabled, true),
  };
}
