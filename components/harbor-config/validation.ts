// Pure validators for Harbor configuration as code. Each rule mirrors what Harbor 2.15.2 itself
// enforces, so a bad value stops at preview with one line instead of failing mid-`up` at the API.
import { ConfigError, Raw, cron, int } from "../../config/validate";
import { quantityBytes } from "../../policy/concepts/quantity";

/**
 * Robot permissions Harbor 2.15.2 accepts, per level (`resource:action`). Derived from
 * src/common/rbac/const.go (PoliciesMap plus the NolimitProvider additions), which the
 * robot handler checks every requested access against. The fake Harbor checks against its own
 * table read from that source (test/fakes/harbor-permissions.ts), which a test compares with this.
 */
export const ROBOT_PERMISSIONS: Readonly<Record<"system" | "project", readonly string[]>> = {
  system: [
    "audit-log:list",
    ...crud("preheat-instance", ["read", "create", "delete", "list", "update"]),
    "project:list",
    "project:create",
    ...crud("replication-policy", ["read", "create", "delete", "list", "update"]),
    ...crud("replication", ["read", "create", "list"]),
    "replication-adapter:list",
    ...crud("registry", ["read", "create", "delete", "list", "update"]),
    ...crud("scan-all", ["read", "update", "stop", "create"]),
    "system-volumes:read",
    ...crud("garbage-collection", ["read", "create", "list", "update", "stop"]),
    ...crud("purge-audit", ["read", "create", "list", "update", "stop"]),
    ...crud("jobservice-monitor", ["list", "stop"]),
    ...crud("scanner", ["read", "create", "delete", "list", "update"]),
    ...crud("label", ["read", "create", "delete", "update"]),
    ...crud("security-hub", ["read", "list"]),
    "catalog:read",
    ...crud("quota", ["read", "list", "update"]),
    ...crud("robot", ["create", "read", "list", "delete"]),
    ...crud("user", ["create", "read", "update", "list", "delete"]),
    ...crud("ldap-user", ["create", "list"]),
    ...crud("user-group", ["create", "read", "update", "list", "delete"]),
  ],
  project: [
    "log:list",
    ...crud("project", ["read", "delete", "update"]),
    ...crud("metadata", ["read", "create", "delete", "list", "update"]),
    ...crud("repository", ["read", "update", "delete", "list", "pull", "push"]),
    ...crud("artifact", ["read", "create", "list", "delete"]),
    ...crud("scan", ["create", "read", "stop"]),
    ...crud("sbom", ["create", "stop", "read"]),
    ...crud("tag", ["create", "list", "delete"]),
    "accessory:list",
    "artifact-addition:read",
    ...crud("artifact-label", ["create", "delete"]),
    ...crud("scanner", ["create", "read"]),
    ...crud("preheat-policy", ["read", "create", "delete", "list", "update"]),
    ...crud("immutable-tag", ["create", "delete", "list", "update"]),
    ...crud("notification-policy", ["read", "create", "delete", "list", "update"]),
    ...crud("tag-retention", ["read", "create", "delete", "list", "update"]),
    ...crud("label", ["read", "create", "delete", "list", "update"]),
    "quota:read",
    ...crud("robot", ["create", "read", "list", "delete"]),
    ...crud("export-cve", ["create", "read"]),
    ...crud("member", ["create", "read", "update", "list", "delete"]),
  ],
};

function crud(resource: string, actions: readonly string[]): string[] {
  return actions.map((a) => `${resource}:${a}`);
}

const PERMISSION_SETS = {
  system: new Set(ROBOT_PERMISSIONS.system),
  project: new Set(ROBOT_PERMISSIONS.project),
};

export function isAllowedPermission(level: "system" | "project", resource: string, action: string): boolean {
  return PERMISSION_SETS[level].has(`${resource}:${action}`);
}

/** `repository:pull` for a permission kind; an unknown pair names the resources that do exist. */
export function permission(
  key: string,
  value: Raw,
  level: "system" | "project",
): { resource: string; action: string } {
  const m = typeof value === "string" ? /^([a-z-]+):([a-z-]+)$/.exec(value) : null;
  if (!m) throw new ConfigError(key, value, "a permission written resource:action, like repository:pull");
  if (!isAllowedPermission(level, m[1], m[2])) {
    const actions = ROBOT_PERMISSIONS[level]
      .filter((p) => p.startsWith(`${m[1]}:`))
      .map((p) => p.split(":")[1]);
    const allowed =
      actions.length > 0
        ? `actions Harbor allows on ${level} resource ${m[1]}: ${actions.join(", ")}`
        : `unknown ${level} resource ${m[1]}; known: ${[...new Set(ROBOT_PERMISSIONS[level].map((p) => p.split(":")[0]))].join(", ")}`;
    throw new ConfigError(key, value, allowed);
  }
  return { resource: m[1], action: m[2] };
}

// Harbor's rule for robot and project names (handler/robot.go validateName, pkg/project
// manager): lower-case alphanumerics separated by single '.', '_' or '-'. Lengths: 1..255.
const HARBOR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

function harborName(what: string) {
  return (key: string, value: Raw): string => {
    if (typeof value !== "string" || value.length > 255 || !HARBOR_NAME.test(value)) {
      throw new ConfigError(
        key,
        value,
        `a ${what} name Harbor accepts: lower-case letters and digits, separated by single '.', '_' or '-', at most 255`,
      );
    }
    return value;
  };
}

export const robotName = harborName("robot");
export const projectName = harborName("project");

/** A Harbor schedule: robfig/cron with seconds, the seconds field 0 (policy/concepts/cron.ts). */
export function harborCron(key: string, value: Raw): string {
  return cron(key, value, "harbor").text;
}

/**
 * A storage quota in bytes: -1 (unlimited), an integer >= 0, or a size like "100Gi" (a Kubernetes
 * quantity of whole bytes, policy/concepts/quantity.ts).
 * Harbor stores the byte count; sizes are converted here so state and diff compare bytes.
 */
export function quota(key: string, value: Raw): number {
  const allowed = 'a storage quota: -1 for unlimited, bytes >= 0, or a size like "500Mi", "100Gi", "2Ti"';
  if (value === -1 || value === "-1") return -1;
  if (value === 0 || value === "0") return 0;
  const bytes = typeof value === "string" ? quantityBytes(value) : undefined;
  if (bytes !== undefined) return Number(bytes);
  if (typeof value !== "number") throw new ConfigError(key, value, allowed);
  try {
    return int(key, value, 0, 0);
  } catch {
    throw new ConfigError(key, value, allowed);
  }
}

export const SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RETENTION_TEMPLATES = [
  "latestPushedK",
  "latestPulledN",
  "nDaysSinceLastPush",
  "nDaysSinceLastPull",
  "always",
] as const;
export type RetentionTemplate = (typeof RETENTION_TEMPLATES)[number];

/** Robot lifetime in days: -1 never expires, else 1..2147483646 (Harbor's isValidDuration). */
export function robotDuration(key: string, value: Raw, fallback: number): number {
  if (value === -1 || value === "-1") return -1;
  return int(key, value, fallback, 1, 2 ** 31 - 2);
}

export const REGISTRY_TYPES = [
  "docker-hub",
  "harbor",
  "docker-registry",
  "aws-ecr",
  "azure-acr",
  "google-gcr",
  "github-ghcr",
  "gitlab",
  "quay",
  "jfrog-artifactory",
] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];
