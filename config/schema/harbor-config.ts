// `harborConfig`: Harbor's own configuration as code (settings, schedules, registries, projects,
// robots, replications), applied through Harbor's API by components/harbor-config. The schema
// refuses at preview what Harbor 2.15.2 would refuse mid-`up` (./harbor-limits.ts) and what the
// mandatory policy pack would refuse (its own predicates and limits, imported). Defaults that
// follow the topology and the rules between fields are in config/harbor-config.ts.
import { z } from "zod";
import { ROBOT_DELIVERY_FIELDS } from "./robots";
import type { CronSchedule } from "../../policy/concepts/cron";
import { parseHostPort } from "../../policy/concepts/network";
import { quantityBytes } from "../../policy/concepts/quantity";
import { isFiniteQuota } from "../../policy/lib/harbor-resources";
import { scheduleCadence } from "../../policy/lib/schedule";
import { GC_LIMITS } from "../../policy/policies/harbor-gc-schedule";
import {
  boolean,
  cron,
  hasControlCharacters,
  httpsUrl,
  integer,
  key,
  leaf,
  listOf,
  oneOf,
  pattern,
  section,
  text,
} from "./define";
import {
  AUDIT_EVENT_TYPES,
  HARBOR_LIMITS,
  REGISTRY_TYPES,
  RETENTION_TEMPLATES,
  ROBOT_PERMISSIONS,
  SEVERITIES,
  isAllowedPermission,
} from "./harbor-limits";

// ---------------------------------------------------------------------------------------------
// Leaves

// Harbor's rule for project and robot names (src/pkg/project/manager.go restrictedNameChars,
// src/server/v2.0/handler/robot.go validateName), kept for registries and replications too:
// their names become Pulumi resource names.
const HARBOR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

function harborName(what: "project" | "robot" | "registry" | "replication", max: number) {
  const whose = what === "project" || what === "robot" ? " Harbor accepts" : "";
  return leaf<string>(
    {
      type: "name",
      allowed: `a ${what} name${whose}: lower-case letters and digits, separated by single '.', '_' or '-', at most ${max}`,
    },
    (v) => (typeof v === "string" && v.length <= max && HARBOR_NAME.test(v) ? v : undefined),
  );
}

const projectName = () => harborName("project", HARBOR_LIMITS.projectName);

/** A string without control characters, at most `max` long; "" allowed (a field left empty). */
function optionalText(max: number, allowed: string) {
  return leaf<string>({ type: "string", allowed }, (v) =>
    typeof v === "string" && v.length <= max && !hasControlCharacters(v) ? v : undefined,
  );
}

/**
 * A Harbor schedule (6 fields, seconds 0; policy/concepts/cron.ts), passed on with its fields
 * one space apart. `check` refuses a readable schedule with a reason (a policy's, Harbor's).
 */
function harborCron(check?: (schedule: CronSchedule) => string | undefined) {
  const base = cron("harbor");
  const checked = check
    ? base.superRefine((schedule, ctx) => {
        const why = check(schedule);
        if (why !== undefined) ctx.addIssue({ code: "custom", message: why, input: schedule.text });
      })
    : base;
  return checked.transform((s) => s.text).meta(base.meta() ?? {});
}

const gcCron = () =>
  harborCron((s) => {
    const cadence = scheduleCadence(undefined, s.text);
    return cadence.maxGapDays > GC_LIMITS.maxIntervalDays
      ? `a GC schedule that runs at least every ${GC_LIMITS.maxIntervalDays} days: the mandatory policy harbor-gc-schedule refuses this one, which can leave ${Math.round(cadence.maxGapDays)} days between runs`
      : undefined;
  });

// src/controller/replication/model/model.go Validate: "* is not allowed for the Minutes field".
const replicationCron = () =>
  harborCron((s) =>
    s.text.split(" ")[1] === "*"
      ? "a replication schedule whose minutes field is not * (Harbor refuses * there)"
      : undefined,
  );

/**
 * A storage quota in bytes: a size (a Kubernetes quantity of whole bytes) or a byte count, up to
 * Harbor's limit. -1 (unlimited) and 0 (on create: the default) are what `policy` refuses,
 * judged by the policy's own predicate.
 */
function quota(policy: "harbor-project-quota" | "harbor-default-quota") {
  const allowed = `a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor's limit)`;
  return leaf<number>({ type: "size", allowed }, (v) => {
    const digits = typeof v === "string" && /^-?\d+$/.test(v.trim());
    const bytes =
      typeof v === "number" && Number.isInteger(v)
        ? BigInt(v)
        : typeof v === "string" && digits
          ? BigInt(v.trim())
          : typeof v === "string"
            ? quantityBytes(v)
            : undefined;
    if (bytes === undefined) return undefined;
    if (bytes > BigInt(HARBOR_LIMITS.maxQuotaBytes)) return undefined;
    const n = Number(bytes);
    if (isFiniteQuota(n)) return n;
    return n === -1 || n === 0
      ? {
          refused: `the mandatory policy ${policy} refuses ${n === -1 ? "-1 (unlimited)" : "0 (Harbor's default quota)"}: every quota must be finite`,
        }
      : undefined;
  });
}

/** `resource:action` Harbor allows at `level`; an unknown pair names what does exist. */
function permission(level: "system" | "project") {
  return leaf<{ resource: string; action: string }>(
    {
      type: "resource:action",
      allowed: `a ${level} permission Harbor 2.15 allows, written resource:action like ${level === "system" ? "project:list" : "repository:pull"}`,
    },
    (v) => {
      const m = typeof v === "string" ? /^([a-z-]+):([a-z-]+)$/.exec(v) : null;
      if (!m) return undefined;
      const [, resource, action] = m;
      if (isAllowedPermission(level, resource, action)) return { resource, action };
      const actions = ROBOT_PERMISSIONS[level]
        .filter((p) => p.startsWith(`${resource}:`))
        .map((p) => p.split(":")[1]);
      const resources = [...new Set(ROBOT_PERMISSIONS[level].map((p) => p.split(":")[0]))];
      return {
        refused:
          actions.length > 0
            ? `actions Harbor allows on ${level} resource ${resource}: ${actions.join(", ")}`
            : `unknown ${level} resource ${resource}; known: ${resources.join(", ")}`,
      };
    },
  );
}

/** Robot lifetime in days: -1 never expires (src/server/v2.0/handler/robot.go isValidDuration). */
const robotDays = () =>
  leaf<number>(
    {
      type: "integer",
      allowed: `-1 (never expires) or a number of days from 1 to ${HARBOR_LIMITS.robotMaxDays}`,
    },
    (v) => {
      const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      return n === -1 ||
        (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= HARBOR_LIMITS.robotMaxDays)
        ? n
        : undefined;
    },
  );

/** A rotation marker; YAML may read `2026` as a number, which is kept as its text. */
const rotation = () =>
  leaf<string>({ type: "string", allowed: "a string or number without control characters" }, (v) =>
    typeof v === "number" && Number.isFinite(v)
      ? String(v)
      : typeof v === "string" && !hasControlCharacters(v)
        ? v
        : undefined,
  );

const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
const SECRET_REF_ALLOWED =
  'a reference to a secret config key, like { secretKey: "oidcClientSecret" } (never the secret itself)';

/**
 * `{ secretKey: <config key> }`. A refused value is never shown: it may be the secret itself,
 * typed where its reference belongs.
 */
function secretRef() {
  return z
    .unknown()
    .transform((v, ctx) => {
      const o =
        v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
      const name = o.secretKey;
      if (Object.keys(o).length === 1 && typeof name === "string" && CONFIG_KEY.test(name))
        return { secretKey: name };
      ctx.addIssue({ code: "custom", message: SECRET_REF_ALLOWED, input: v, params: { hidesValue: true } });
      return z.NEVER;
    })
    .meta({ type: "secret reference", allowed: SECRET_REF_ALLOWED });
}

const auditLogEndpoint = () =>
  leaf<string>(
    { type: "host:port", allowed: "host:port, like syslog.example.com:514 (port 1-65535, no scheme)" },
    (v) =>
      v === "" || (typeof v === "string" && !hasControlCharacters(v) && parseHostPort(v) !== undefined)
        ? v
        : undefined,
  );

/**
 * A registry endpoint as Harbor keeps it: src/lib/endpoint.go ValidateHTTPURL stores only
 * scheme://host/path, trailing '/' trimmed, so anything else would read back different (a diff on
 * every refresh), and credentials in the URL would be dropped.
 */
function registryUrl() {
  const allowed =
    "an https:// URL with no credentials, query, fragment or trailing '/', like https://registry.example.com";
  return leaf<string>({ type: "URL", allowed }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v) || /\s/.test(v) || v.endsWith("/")) return undefined;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return undefined;
    }
    return u.protocol === "https:" &&
      u.username === "" &&
      u.password === "" &&
      u.search === "" &&
      u.hash === "" &&
      !v.includes("?") &&
      !v.includes("#")
      ? v
      : undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// Sections

const oidcSection = section({
  name: text().default("oidc").meta({ doc: "Name shown on Harbor's login button" }),
  endpoint: httpsUrl().meta({ doc: "Issuer URL of the OIDC provider" }),
  clientId: text().meta({ doc: "Client id Harbor logs in with" }),
  clientSecret: secretRef().meta({ doc: "The client secret: a reference to a secret config key" }),
  scope: text().default("openid,profile,email,offline_access").meta({ doc: "Scopes, comma-separated" }),
  groupsClaim: text().default("groups").meta({ doc: "Claim holding the user's groups" }),
  adminGroup: optionalText(255, "a group name without control characters")
    .default("")
    .meta({ doc: "Group whose members are Harbor admins" }),
  userClaim: optionalText(255, "a claim name without control characters")
    .default("")
    .meta({ doc: "Claim holding the user name (Harbor asks when empty)" }),
  verifyCert: boolean().default(true).meta({ doc: "Verify the provider's certificate" }),
  autoOnboard: boolean().default(false).meta({ doc: "Create users on first login without asking" }),
});

const ldapSection = section({
  url: pattern(/^ldaps?:\/\/[^\s/]+$/, "an ldap:// or ldaps:// URL with no path", "URL").meta({
    doc: "LDAP server, ldaps://host[:port]",
  }),
  searchDn: text().meta({ doc: "DN Harbor binds as to search" }),
  searchPassword: secretRef().meta({ doc: "Its password: a reference to a secret config key" }),
  baseDn: text().meta({ doc: "Base DN of the user search" }),
  filter: optionalText(1024, "an LDAP filter without control characters")
    .default("")
    .meta({ doc: "Extra filter of the user search" }),
  uid: text().default("uid").meta({ doc: "Attribute matched against the login name" }),
  scope: integer(0, 2, "0 (base), 1 (one level) or 2 (subtree)")
    .default(2)
    .meta({ doc: "Search scope: 0 base, 1 one level, 2 subtree" }),
  verifyCert: boolean().default(true).meta({ doc: "Verify the server's certificate" }),
});

const settingsSection = section({
  projectQuota: quota("harbor-default-quota")
    .optional()
    .meta({ doc: "Default storage quota of new projects", defaultText: "dev 20Gi, prod 100Gi" }),
  projectCreationRestriction: oneOf(["adminonly", "everyone"] as const)
    .optional()
    .meta({ doc: "Who may create projects", defaultText: "dev everyone, prod adminonly" }),
  robotTokenDays: integer(1, 36500).default(30).meta({ doc: "Default lifetime of robot tokens, in days" }),
  auditLogForwardEndpoint: auditLogEndpoint().default("").meta({
    doc: "Syslog host:port Harbor forwards its audit log to",
    defaultText: "auditLogSyslog, else off",
  }),
  auth: section({
    mode: oneOf(["oidc", "ldap"] as const).meta({ doc: "oidc or ldap" }),
    oidc: oidcSection.optional().meta({ doc: "OIDC login (mode oidc)" }),
    ldap: ldapSection.optional().meta({ doc: "LDAP login (mode ldap)" }),
  })
    .optional()
    .meta({ doc: "Login through OIDC or LDAP instead of Harbor's own users" }),
});

/** `false` (off) or the section; a section left out takes its defaults. */
function offOr<S extends z.ZodType>(schema: S) {
  return z.union([z.literal(false), schema]);
}

const gcSection = section({
  cron: gcCron().default("0 0 3 * * 6").meta({ doc: "When GC runs (6-field cron, seconds 0)" }),
  deleteUntagged: boolean()
    .refine((v) => v, {
      message: "true: the mandatory policy harbor-gc-schedule refuses a GC that keeps untagged artifacts",
    })
    .default(true)
    .meta({ doc: "Delete untagged artifacts" }),
  workers: integer(1, HARBOR_LIMITS.gcWorkers)
    .optional()
    .meta({ doc: "Parallel GC workers", defaultText: "dev 1, prod 2" }),
});

const auditLogPurgeSection = section({
  cron: harborCron().default("0 0 4 * * 0").meta({ doc: "When the purge runs" }),
  retentionHours: integer(1, HARBOR_LIMITS.auditRetentionHours)
    .optional()
    .meta({ doc: "Hours of audit log kept", defaultText: "dev 168, prod 720" }),
  eventTypes: listOf(oneOf(AUDIT_EVENT_TYPES), 1)
    .default(["create_artifact", "delete_artifact", "pull_artifact"])
    .meta({ doc: "Event types purged" }),
});

export const scanAllSection = section({
  cron: harborCron().default("0 0 2 * * *").meta({ doc: "When every artifact is scanned" }),
});

const registrySection = section({
  name: harborName("registry", HARBOR_LIMITS.registryName).meta({ doc: "Name of the endpoint in Harbor" }),
  type: oneOf(REGISTRY_TYPES).meta({ doc: "Harbor's adapter for it" }),
  url: registryUrl().meta({ doc: "Its https URL" }),
  insecure: boolean().default(false).meta({ doc: "Skip verifying its certificate" }),
  credential: section({
    accessKey: text().optional().meta({
      doc: "User or access key",
      defaultText: "google-gcr: _json_key, quay: json_file; required otherwise",
    }),
    accessSecret: secretRef().meta({
      doc: "Password, token or key file: a reference to a secret config key",
    }),
  })
    .optional()
    .meta({ doc: "Login to the registry" }),
});

const retentionRuleSection = section({
  template: oneOf(RETENTION_TEMPLATES).meta({ doc: "Which artifacts a rule retains" }),
  count: integer(1, 10000)
    .optional()
    .meta({ doc: "The template's count or days", defaultText: "required except with always" }),
  repositories: text().default("**").meta({ doc: "Repositories the rule applies to (doublestar)" }),
  tags: text().default("**").meta({ doc: "Tags the rule applies to (doublestar)" }),
  untagged: boolean().default(true).meta({ doc: "Include untagged artifacts" }),
});

const projectSection = section({
  name: projectName().meta({ doc: "Project name" }),
  public: boolean().default(false).meta({ doc: "Anyone may pull" }),
  quota: quota("harbor-project-quota")
    .optional()
    .meta({ doc: "Storage quota", defaultText: "settings.projectQuota" }),
  scanOnPush: boolean().default(true).meta({ doc: "Scan images when pushed" }),
  preventVulnerable: oneOf(SEVERITIES)
    .default("none")
    .meta({ doc: "Refuse pulls of images with vulnerabilities at or above this severity" }),
  cosign: boolean().default(false).meta({ doc: "Pull only cosign-signed images" }),
  cveAllowlist: listOf(pattern(/^CVE-\d{4}-\d{4,}$/, "a CVE id like CVE-2024-12345"))
    .default([])
    .meta({ doc: "CVEs ignored by the vulnerability gate" }),
  proxyCache: section({
    registry: text().meta({ doc: "A registry declared in registries" }),
  })
    .optional()
    .meta({ doc: "Make this a proxy cache of a declared registry" }),
  retention: section({
    cron: harborCron().default("0 0 0 * * *").meta({ doc: "When retention runs" }),
    rules: listOf(retentionRuleSection, 1)
      .max(HARBOR_LIMITS.retentionRules, {
        message: `at most ${HARBOR_LIMITS.retentionRules} rules (Harbor's limit)`,
      })
      .meta({ doc: "Rules, at most 15" }),
  })
    .optional()
    .meta({ doc: "Tag retention policy" }),
  immutableTags: listOf(
    section({
      repositories: text().default("**").meta({ doc: "Repositories (doublestar)" }),
      tags: text().meta({ doc: "Tags that may not be overwritten or deleted (doublestar)" }),
    }),
  )
    .default([])
    .meta({ doc: "Immutable-tag rules" }),
});

const robotSection = section({
  name: harborName("robot", HARBOR_LIMITS.projectName).meta({
    doc: "Robot name (robot$<project>+<name> or robot$<name>)",
  }),
  project: text().optional().meta({ doc: "Project of a project robot (a declared project)" }),
  access: listOf(permission("project"), 1)
    .optional()
    .meta({ doc: "A project robot's permissions, resource:action" }),
  system: listOf(permission("system"), 1).optional().meta({ doc: "A system robot's system permissions" }),
  projects: z
    .record(z.string(), listOf(permission("project"), 1))
    .optional()
    .meta({ doc: 'A system robot\'s permissions per declared project, or "*" for all' }),
  description: optionalText(
    HARBOR_LIMITS.robotDescription,
    "a description without control characters, at most 1024",
  )
    .default("")
    .meta({ doc: "Description" }),
  duration: robotDays().default(90).meta({ doc: "Lifetime in days; -1 never expires" }),
  rotation: rotation().default("").meta({ doc: "Change it to rotate the robot's secret" }),
  ...ROBOT_DELIVERY_FIELDS,
});

const replicationSection = section({
  name: harborName("replication", HARBOR_LIMITS.replicationName).meta({ doc: "Policy name" }),
  registry: text().meta({ doc: "Destination: a registry declared in registries" }),
  sourceProject: projectName().meta({ doc: "Project replicated" }),
  tags: text().default("**").meta({ doc: "Tags replicated (doublestar)" }),
  destNamespace: projectName()
    .optional()
    .meta({ doc: "Namespace at the destination", defaultText: "the source's" }),
  trigger: oneOf(["manual", "event_based", "scheduled"] as const)
    .default("event_based")
    .meta({ doc: "What starts a replication" }),
  cron: replicationCron().optional().meta({ doc: "When (trigger scheduled only; minutes not *)" }),
  deletion: boolean().default(false).meta({ doc: "Replicate deletions" }),
  override: boolean().default(true).meta({ doc: "Overwrite artifacts at the destination" }),
  enabled: boolean().default(true).meta({ doc: "Enabled" }),
});

export const HARBOR_CONFIG_SCHEMA = section({
  settings: settingsSection.prefault({}).meta({ doc: "Harbor's system settings" }),
  gc: offOr(gcSection)
    .transform((v, ctx) => {
      if (v !== false) return v;
      ctx.addIssue({
        code: "custom",
        message: "a GC schedule: the mandatory policy harbor-gc-schedule refuses a stack without one",
        input: v,
      });
      return z.NEVER;
    })
    .prefault({})
    .meta({ doc: "Garbage collection; the policy pack requires it at least weekly, deleting untagged" }),
  auditLogPurge: offOr(auditLogPurgeSection)
    .prefault({})
    .meta({ doc: "Audit-log purge schedule; false turns it off" }),
  scanAll: offOr(scanAllSection)
    .optional()
    .meta({ doc: "Scan-all schedule; false turns it off", defaultText: "dev off, prod daily 02:00" }),
  dockerHubProxy: boolean()
    .optional()
    .meta({ doc: "Add registry and proxy-cache project dockerhub", defaultText: "dev false, prod true" }),
  registries: listOf(registrySection).default([]).meta({ doc: "Registry endpoints" }),
  projects: listOf(projectSection).default([]).meta({ doc: "Projects" }),
  robots: listOf(robotSection).default([]).meta({ doc: "Robot accounts" }),
  replications: listOf(replicationSection)
    .default([])
    .meta({ doc: "Replication policies (push to a registry)" }),
});

/** The parsed `harborConfig` before its topology defaults and cross-field rules. */
export type HarborConfigValue = z.output<typeof HARBOR_CONFIG_SCHEMA>;
export type RegistryValue = z.output<typeof registrySection>;
export type ProjectValue = z.output<typeof projectSection>;
export type RobotValue = z.output<typeof robotSection>;
export type ReplicationValue = z.output<typeof replicationSection>;
export type OidcValue = z.output<typeof oidcSection>;
export type LdapValue = z.output<typeof ldapSection>;

/** Entries the topology adds (Docker Hub's registry and proxy cache), read like the stack's. */
export const parseRegistry = (raw: unknown): RegistryValue => registrySection.parse(raw);
export const parseProject = (raw: unknown): ProjectValue => projectSection.parse(raw);

export const HARBOR_CONFIG_KEYS = {
  harborConfig: key({
    schema: HARBOR_CONFIG_SCHEMA,
    doc: "Harbor configuration as code: settings, GC / audit-log purge / scan-all schedules, registries, projects, robots and replications, applied through Harbor's API (docs/harbor-config.md).",
    group: "Core",
    defaults: { dev: {}, prod: {} },
  }),
} as const;
