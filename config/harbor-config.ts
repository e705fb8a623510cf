// `harborConfig` as the component uses it: the schema's value (config/schema/harbor-config.ts)
// with the topology's defaults and the rules between fields (unique names, references to
// declared registries and projects, what Harbor checks across objects). Pure: no Pulumi calls.
// Secrets are never config values here, only references to other config keys
// (`{ secretKey: "oidcClientSecret" }`) that the loader reads with requireSecret.
import { z } from "zod";
import { ConfigError, bytesOf } from "./validate";
import {
  parseProject,
  parseRegistry,
  scanAllSection,
  type HarborConfigValue,
  type LdapValue,
  type OidcValue,
  type ProjectValue,
  type RegistryValue,
  type ReplicationValue,
  type RobotValue,
} from "./schema/harbor-config";
import {
  HARBOR_LIMITS,
  KEY_FILE_REGISTRIES,
  PROXY_CACHE_REGISTRY_TYPES,
  type RegistryType,
} from "./schema/harbor-limits";
import { text } from "./schema/define";
import type { Topology } from "./schema/define";
import type { SecretRef } from "./schema/parse";
import { robotDelivery, type RobotDeliverySpec } from "./schema/robots";

export const HARBOR_CONFIG_KEY = "harborConfig";

/** A config key holding a secret, named by the spec. */
export interface SecretKeyRef {
  readonly secretKey: string;
}
export type OidcAuthSpec = { readonly kind: "oidc" } & Readonly<OidcValue>;
export type LdapAuthSpec = { readonly kind: "ldap" } & Readonly<LdapValue>;
export interface SettingsSpec {
  /** Default storage quota of new projects in bytes. */
  readonly projectQuotaBytes: number;
  readonly projectCreationRestriction: "adminonly" | "everyone";
  readonly robotTokenDays: number;
  /** host:port of a syslog endpoint; "" leaves forwarding off. */
  readonly auditLogForwardEndpoint: string;
  readonly auth?: OidcAuthSpec | LdapAuthSpec;
}
type On<T> = Exclude<T, false | undefined>;
export type GcSpec = Readonly<Required<HarborConfigValue["gc"]>>;
export type AuditLogPurgeSpec = Readonly<Required<On<HarborConfigValue["auditLogPurge"]>>>;
export type ScanAllSpec = Readonly<On<HarborConfigValue["scanAll"]>>;
export type RegistrySpec = Readonly<Omit<RegistryValue, "credential">> & {
  readonly credential?: { readonly accessKey: string; readonly accessSecret: SecretKeyRef };
};
type RetentionRuleValue = NonNullable<ProjectValue["retention"]>["rules"][number];
export type RetentionRuleSpec = Readonly<Omit<RetentionRuleValue, "count">> & {
  /** The template's parameter (count or days); 0 for "always". */
  readonly count: number;
};
export interface RetentionSpec {
  readonly cron: string;
  readonly rules: readonly RetentionRuleSpec[];
}
export type ProjectSpec = Readonly<Omit<ProjectValue, "quota" | "proxyCache" | "retention">> & {
  readonly quotaBytes: number;
  /** Name of a declared registry: makes this a proxy-cache project. */
  readonly proxyCacheRegistry?: string;
  readonly retention?: RetentionSpec;
};
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
export type ReplicationSpec = Readonly<Omit<ReplicationValue, "cron" | "destNamespace">> & {
  /** "" unless the trigger is scheduled. */
  readonly cron: string;
  /** "" keeps the source's namespace. */
  readonly destNamespace: string;
};
export interface HarborConfigurationSpec {
  readonly settings: SettingsSpec;
  readonly gc: GcSpec;
  readonly auditLogPurge?: AuditLogPurgeSpec;
  readonly scanAll?: ScanAllSpec;
  readonly registries: readonly RegistrySpec[];
  readonly projects: readonly ProjectSpec[];
  readonly robots: readonly RobotSpec[];
  readonly replications: readonly ReplicationSpec[];
}

/** What the schema leaves to the topology; documented in docs/harbor-config.md. */
export const HARBOR_CONFIG_DEFAULTS = {
  prod: {
    projectQuota: "100Gi",
    projectCreationRestriction: "adminonly",
    gcWorkers: 2,
    auditLogRetentionHours: 720,
    scanAll: true,
    dockerHubProxy: true,
  },
  dev: {
    projectQuota: "20Gi",
    projectCreationRestriction: "everyone",
    gcWorkers: 1,
    auditLogRetentionHours: 168,
    scanAll: false,
    dockerHubProxy: false,
  },
} as const;

/** The registry endpoint and proxy-cache project `dockerHubProxy: true` adds (names may be overridden by declaring the same name). */
export const DOCKER_HUB = {
  registry: "dockerhub",
  project: "dockerhub",
  url: "https://hub.docker.com",
} as const;

const K = HARBOR_CONFIG_KEY;

/** The parsed value with the topology's defaults, checked across fields. */
export function harborConfiguration(v: HarborConfigValue, topology: Topology): HarborConfigurationSpec {
  const d = HARBOR_CONFIG_DEFAULTS[topology];
  const settings: SettingsSpec = {
    projectQuotaBytes: v.settings.projectQuota ?? bytesOf(d.projectQuota),
    projectCreationRestriction: v.settings.projectCreationRestriction ?? d.projectCreationRestriction,
    robotTokenDays: v.settings.robotTokenDays,
    auditLogForwardEndpoint: v.settings.auditLogForwardEndpoint,
    auth: authSpec(v.settings.auth),
  };
  const scanAll = v.scanAll ?? (d.scanAll ? scanAllSection.parse({}) : false);
  const dockerHubProxy = v.dockerHubProxy ?? d.dockerHubProxy;

  const registries = uniqueByName(
    `${K}.registries`,
    dockerHubProxy
      ? [parseRegistry({ name: DOCKER_HUB.registry, type: "docker-hub", url: DOCKER_HUB.url })]
      : [],
    v.registries,
    (r) => r.name,
  ).map(({ entry, at }) => registrySpec(entry, at));
  const registryTypes = new Map(registries.map((r) => [r.name, r.type]));
  const defaultProjects = dockerHubProxy
    ? [
        parseProject({
          name: DOCKER_HUB.project,
          proxyCache: { registry: DOCKER_HUB.registry },
          // Harbor's own automatic policy for proxy caches, adopted and managed rather than duplicated.
          retention: { cron: "0 0 0 * * *", rules: [{ template: "nDaysSinceLastPull", count: 7 }] },
        }),
      ]
    : [];
  const projects = uniqueByName(`${K}.projects`, defaultProjects, v.projects, (p) => p.name).map(
    ({ entry, at }) => projectSpec(entry, at, settings.projectQuotaBytes, registryTypes),
  );
  const projectNames = new Set(projects.map((p) => p.name));
  // Harbor names a project robot robot$<project>+<name>: "ci" may exist once per project.
  const robots = uniqueByName(`${K}.robots`, [], v.robots, (r) => `${r.project ?? ""}+${r.name}`).map(
    ({ entry, at }) => robotSpec(entry, at, projectNames),
  );
  const replications = uniqueByName(`${K}.replications`, [], v.replications, (r) => r.name).map(
    ({ entry, at }) => replicationSpec(entry, at, registryTypes),
  );
  return {
    settings,
    gc: { ...v.gc, workers: v.gc.workers ?? d.gcWorkers },
    auditLogPurge:
      v.auditLogPurge === false
        ? undefined
        : {
            ...v.auditLogPurge,
            retentionHours: v.auditLogPurge.retentionHours ?? d.auditLogRetentionHours,
          },
    scanAll: scanAll === false ? undefined : scanAll,
    registries,
    projects,
    robots,
    replications,
  };
}

/** The config keys whose secret values the spec references (read them with config.requireSecret). */
export function requiredSecretKeys(spec: HarborConfigurationSpec): string[] {
  return [...new Set(harborSecretRefs(spec).map((r) => r.key))];
}

const secretText = text(
  "a non-empty secret without control characters (a pasted trailing newline breaks the login)",
);

/**
 * The secrets the spec names, each with what Harbor needs it to be: a key file (JSON) for the
 * registries that take one (./schema/harbor-limits.ts KEY_FILE_REGISTRIES), else one line.
 */
export function harborSecretRefs(spec: HarborConfigurationSpec): SecretRef[] {
  const refs: SecretRef[] = [];
  const auth = spec.settings.auth;
  if (auth?.kind === "oidc")
    refs.push({
      key: auth.clientSecret.secretKey,
      by: `${K}.settings.auth.oidc.clientSecret`,
      format: secretText,
    });
  if (auth?.kind === "ldap")
    refs.push({
      key: auth.searchPassword.secretKey,
      by: `${K}.settings.auth.ldap.searchPassword`,
      format: secretText,
    });
  for (const r of spec.registries) {
    if (!r.credential) continue;
    const keyFile = KEY_FILE_REGISTRIES[r.type];
    refs.push({
      key: r.credential.accessSecret.secretKey,
      by: `${K}.registries.${r.name}.credential.accessSecret`,
      format: keyFile ? jsonKeyFile(r.type, keyFile.fields) : secretText,
    });
  }
  return refs;
}

/** A JSON object with these string fields: the key file a registry type reads. */
function jsonKeyFile(type: string, fields: readonly string[]): z.ZodType {
  const allowed = `the ${type} key file: a JSON object with ${fields.join(" and ")}`;
  return z.unknown().refine(
    (v) => {
      if (typeof v !== "string") return false;
      try {
        const o: unknown = JSON.parse(v);
        return (
          o !== null &&
          typeof o === "object" &&
          fields.every(
            (f) =>
              typeof (o as Record<string, unknown>)[f] === "string" &&
              (o as Record<string, string>)[f] !== "",
          )
        );
      } catch {
        return false;
      }
    },
    { message: allowed },
  );
}

function authSpec(auth: HarborConfigValue["settings"]["auth"]): SettingsSpec["auth"] {
  if (auth === undefined) return undefined;
  const at = `${K}.settings.auth`;
  const other = auth.mode === "oidc" ? "ldap" : "oidc";
  if (auth[other] !== undefined)
    throw new ConfigError(
      `${at}.${other}`,
      auth[other],
      `only with mode ${other}; remove it (mode is ${auth.mode})`,
    );
  if (auth.mode === "oidc") {
    if (auth.oidc === undefined) throw new ConfigError(`${at}.oidc`, undefined, "required when mode is oidc");
    return { kind: "oidc", ...auth.oidc };
  }
  if (auth.ldap === undefined) throw new ConfigError(`${at}.ldap`, undefined, "required when mode is ldap");
  return { kind: "ldap", ...auth.ldap };
}

interface Placed<T> {
  readonly entry: T;
  /** Where the entry is, for errors: `harborConfig.projects[2]`, or the default's name. */
  readonly at: string;
}

/**
 * Identities must be unique; a declared entry with the identity of one of the topology's
 * `defaults` replaces it. Linear in the number of entries.
 */
function uniqueByName<T extends { name: string }>(
  key: string,
  defaults: readonly T[],
  declared: readonly T[],
  identity: (entry: T) => string,
): Placed<T>[] {
  const out: Placed<T>[] = defaults.map((entry) => ({ entry, at: `${key}(default ${entry.name})` }));
  const byId = new Map<string, { index: number; fromDefault: boolean }>(
    defaults.map((entry, index) => [identity(entry), { index, fromDefault: true }]),
  );
  declared.forEach((entry, i) => {
    const at = `${key}[${i}]`;
    const seen = byId.get(identity(entry));
    if (seen && !seen.fromDefault)
      throw new ConfigError(`${at}.name`, entry.name, "a name not used by another entry");
    if (seen) {
      out[seen.index] = { entry, at };
      byId.set(identity(entry), { index: seen.index, fromDefault: false });
    } else {
      byId.set(identity(entry), { index: out.length, fromDefault: false });
      out.push({ entry, at });
    }
  });
  return out;
}

function registrySpec(r: RegistryValue, at: string): RegistrySpec {
  if (!r.credential) return { ...r, credential: undefined };
  const fixed = KEY_FILE_REGISTRIES[r.type]?.accessKey;
  const accessKey = r.credential.accessKey ?? fixed;
  if (accessKey === undefined)
    throw new ConfigError(`${at}.credential.accessKey`, undefined, `required for registry type ${r.type}`);
  if (fixed !== undefined && accessKey !== fixed)
    throw new ConfigError(
      `${at}.credential.accessKey`,
      accessKey,
      `${fixed} (Harbor's ${r.type} adapter fixes it; the key file is the accessSecret)`,
    );
  return { ...r, credential: { accessKey, accessSecret: r.credential.accessSecret } };
}

function declaredRegistry(at: string, name: string, registries: ReadonlyMap<string, RegistryType>): void {
  if (!registries.has(name)) throw new ConfigError(at, name, `a registry declared in ${K}.registries`);
}

function projectSpec(
  p: ProjectValue,
  at: string,
  defaultQuota: number,
  registries: ReadonlyMap<string, RegistryType>,
): ProjectSpec {
  const { quota, proxyCache, retention, ...rest } = p;
  if (proxyCache) {
    declaredRegistry(`${at}.proxyCache.registry`, proxyCache.registry, registries);
    const type = registries.get(proxyCache.registry);
    if (type === undefined || !PROXY_CACHE_REGISTRY_TYPES.includes(type))
      throw new ConfigError(
        `${at}.proxyCache.registry`,
        proxyCache.registry,
        `a registry of a type Harbor proxies (${PROXY_CACHE_REGISTRY_TYPES.join(", ")}); it is ${type}`,
      );
  }
  unique(
    `${at}.immutableTags`,
    p.immutableTags,
    "an immutable-tag rule unlike the others (Harbor refuses a duplicate)",
  );
  return {
    ...rest,
    quotaBytes: quota ?? defaultQuota,
    proxyCacheRegistry: proxyCache?.registry,
    retention: retention && {
      cron: retention.cron,
      rules: retentionRules(`${at}.retention.rules`, retention.rules),
    },
  };
}

function retentionRules(at: string, rules: readonly RetentionRuleValue[]): RetentionRuleSpec[] {
  const specs = rules.map((r, i): RetentionRuleSpec => {
    const { count, ...rest } = r;
    if (r.template === "always") {
      if (count !== undefined)
        throw new ConfigError(`${at}[${i}].count`, count, "no count with template always; remove it");
      return { ...rest, count: 0 };
    }
    if (count === undefined)
      throw new ConfigError(
        `${at}[${i}].count`,
        undefined,
        `required with template ${r.template}: an integer from 1 to 10000`,
      );
    return { ...rest, count };
  });
  unique(at, specs, "a retention rule unlike the others (Harbor refuses a duplicate)");
  return specs;
}

/** Refuses the second of two equal entries (Harbor answers 409 for both retention rules and immutable-tag rules). */
function unique(at: string, entries: readonly object[], allowed: string): void {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const id = JSON.stringify(e);
    if (seen.has(id)) throw new ConfigError(`${at}[${i}]`, e, allowed);
    seen.add(id);
  });
}

function robotSpec(r: RobotValue, at: string, projects: ReadonlySet<string>): RobotSpec {
  const declared = (key: string, p: string, allowAll: boolean): string => {
    if ((allowAll && p === "*") || projects.has(p)) return p;
    throw new ConfigError(
      key,
      p,
      `a project declared in ${K}.projects${allowAll ? ' or "*" for all projects' : ""}`,
    );
  };
  const common = {
    name: r.name,
    description: r.description,
    durationDays: r.duration,
    rotation: r.rotation,
    ...robotDelivery(at, r, r.duration),
  };
  if (r.project !== undefined) {
    if (r.system !== undefined || r.projects !== undefined)
      throw new ConfigError(
        at,
        Object.keys(r).filter((k) => ["project", "system", "projects"].includes(k)),
        "either project + access (a project robot) or system/projects (a system robot), not both",
      );
    const project = declared(`${at}.project`, r.project, false);
    if (r.access === undefined)
      throw new ConfigError(
        `${at}.access`,
        undefined,
        "required for a project robot: a list of resource:action",
      );
    const stored = `${project}+${r.name}`;
    if (stored.length > HARBOR_LIMITS.robotStoredName)
      throw new ConfigError(
        `${at}.name`,
        r.name,
        `a shorter name: Harbor stores a project robot as <project>+<name>, at most ${HARBOR_LIMITS.robotStoredName} characters (${stored.length} here)`,
      );
    return {
      ...common,
      level: "project",
      project,
      permissions: [{ kind: "project", namespace: project, access: r.access }],
    };
  }
  if (r.access !== undefined)
    throw new ConfigError(
      `${at}.access`,
      r.access,
      "only with project; a system robot uses system and projects",
    );
  const permissions: RobotPermissionSpec[] = [];
  if (r.system !== undefined) permissions.push({ kind: "system", namespace: "/", access: r.system });
  for (const [p, access] of Object.entries(r.projects ?? {})) {
    declared(`${at}.projects.${p}`, p, true);
    permissions.push({ kind: "project", namespace: p, access });
  }
  if (permissions.length === 0)
    throw new ConfigError(at, r, "a robot needs permissions: project + access, or system and/or projects");
  return { ...common, level: "system", permissions };
}

function replicationSpec(
  r: ReplicationValue,
  at: string,
  registries: ReadonlyMap<string, RegistryType>,
): ReplicationSpec {
  declaredRegistry(`${at}.registry`, r.registry, registries);
  if (r.trigger !== "scheduled" && r.cron !== undefined)
    throw new ConfigError(`${at}.cron`, r.cron, "only with trigger: scheduled");
  if (r.trigger === "scheduled" && r.cron === undefined)
    throw new ConfigError(
      `${at}.cron`,
      undefined,
      "required with trigger: scheduled (6-field cron, seconds 0)",
    );
  return { ...r, cron: r.cron ?? "", destNamespace: r.destNamespace ?? "" };
}
