// What Harbor 2.15.2 itself accepts, read from its source at tag v2.15.2 (goharbor/harbor) and
// its chart 1.19.2 (goharbor/harbor-helm): the config schema (./harbor-config.ts) refuses at
// preview what Harbor would refuse mid-`up`, or silently rewrite into a perpetual diff.

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

export const SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;

export const RETENTION_TEMPLATES = [
  "latestPushedK",
  "latestPulledN",
  "nDaysSinceLastPush",
  "nDaysSinceLastPull",
  "always",
] as const;

/**
 * Registry types for harborConfig.registries, each an adapter Harbor 2.15.2 compiles into core
 * (src/pkg/reg/manager.go imports). harbor-helm 1.19.2's REPLICATION_ADAPTER_WHITELIST
 * (templates/core/core-cm.yaml) omits `gitlab` and `quay`, but Harbor v2.15.2 reads it only to
 * filter GET /replication/adapters (the portal's list: src/controller/registry/controller.go
 * ListRegistryProviderTypes/Infos); POST /registries, which the provider calls, checks name, URL
 * and health only (controller.go validate), so both are still accepted and kept here.
 */
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

/**
 * Registry types a proxy-cache project may use: harbor-helm 1.19.2 templates/core/core-cm.yaml
 * sets PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE to these, and Harbor's project handler
 * (src/server/v2.0/handler/project.go validateProjectReq) refuses any other with 400.
 */
export const PROXY_CACHE_REGISTRY_TYPES: readonly RegistryType[] = [
  "docker-hub",
  "harbor",
  "azure-acr",
  "aws-ecr",
  "google-gcr",
  "docker-registry",
  "github-ghcr",
  "jfrog-artifactory",
];

/**
 * Registry types whose credential is a key file rather than a password: the adapter fixes the
 * access key (src/pkg/reg/adapter/googlegcr/adapter.go, quay/adapter.go: AccessKeyTypeFix) and
 * reads the secret as JSON (quay/types.go `cred`; Google's `_json_key` is the service-account
 * key file).
 */
export const KEY_FILE_REGISTRIES: Readonly<
  Partial<Record<RegistryType, { readonly accessKey: string; readonly fields: readonly string[] }>>
> = {
  "google-gcr": { accessKey: "_json_key", fields: ["client_email", "private_key"] },
  quay: { accessKey: "json_file", fields: ["account_name", "docker_cli_password"] },
};

/**
 * Audit-log event types the purge job knows (src/pkg/auditext/model/model.go EventTypes); it
 * silently skips any other (dao.go permitEventTypes), so a typo would purge nothing.
 */
export const AUDIT_EVENT_TYPES = [
  "create_artifact",
  "delete_artifact",
  "pull_artifact",
  "create_project",
  "delete_project",
  "delete_repository",
  "login_user",
  "logout_user",
  "create_user",
  "delete_user",
  "update_user",
  "create_robot",
  "delete_robot",
  "update_configuration",
] as const;

/** Harbor's numeric and length limits, each where Harbor (v2.15.2) enforces it. */
export const HARBOR_LIMITS = {
  /** src/pkg/project/manager.go projectNameMaxLen. */
  projectName: 255,
  /** src/controller/registry/controller.go validate: "the max length of name is 64". */
  registryName: 64,
  /**
   * A project robot is stored as `<project>+<name>` (src/controller/robot/controller.go) in
   * robot.name varchar(255) (make/migrations/postgresql/0004_1.8.0_schema.up.sql).
   */
  robotStoredName: 255,
  /** robot.description varchar(1024), same migration. */
  robotDescription: 1024,
  /** src/server/v2.0/handler/robot.go isValidDuration: -1 or 0 < d < MaxInt32. */
  robotMaxDays: 2 ** 31 - 2,
  /** replication_policy.name varchar(256) (0001_initial_schema.up.sql). */
  replicationName: 256,
  /** src/pkg/quota/types/resources.go MaxLimitedValue (1024 TB), lib/quota_storage_limit.go. */
  maxQuotaBytes: 2 ** 50,
  /** src/server/v2.0/handler/gc.go validateWorkers. */
  gcWorkers: 10,
  /** src/common/const.go MaxAuditRetentionHour (handler/purge.go refuses more). */
  auditRetentionHours: 240000,
  /** src/server/v2.0/handler/retention.go: "only 15 rules are allowed at most". */
  retentionRules: 15,
} as const;
