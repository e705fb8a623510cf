// Robot permissions Harbor 2.15.2 accepts, per level, read from Harbor's source at tag v2.15.2
// (goharbor/harbor @ 080b0220574cc853ae1e2946ce7a5610ba855757): src/common/rbac/const.go,
// PoliciesMap[ScopeSystem|ScopeProject] plus what NolimitProvider.GetPermissions adds (the
// provider rbac.GetPermissionProvider returns); src/server/v2.0/handler/robot.go `validate`
// refuses any access not in that list with 400 "bad request permission: <resource>:<action>".
// Derived by reading the source, not from the program's table: the fake Harbor checks against it.
// The pinned swagger (Permission, Permissions: free-form strings) does not enumerate them.
export const HARBOR_ROBOT_PERMISSIONS: Readonly<
  Record<"system" | "project", Readonly<Record<string, readonly string[]>>>
> = {
  system: {
    "audit-log": ["list"],
    "preheat-instance": ["read", "create", "delete", "list", "update"],
    project: ["list", "create"],
    "replication-policy": ["read", "create", "delete", "list", "update"],
    replication: ["read", "create", "list"],
    "replication-adapter": ["list"],
    registry: ["read", "create", "delete", "list", "update"],
    "scan-all": ["read", "update", "stop", "create"],
    "system-volumes": ["read"],
    "garbage-collection": ["read", "create", "list", "update", "stop"],
    "purge-audit": ["read", "create", "list", "update", "stop"],
    "jobservice-monitor": ["list", "stop"],
    scanner: ["read", "create", "delete", "list", "update"],
    label: ["read", "create", "delete", "update"],
    "security-hub": ["read", "list"],
    catalog: ["read"],
    quota: ["read", "list", "update"],
    robot: ["create", "read", "list", "delete"],
    user: ["create", "read", "update", "list", "delete"],
    "ldap-user": ["create", "list"],
    "user-group": ["create", "read", "update", "list", "delete"],
  },
  project: {
    log: ["list"],
    project: ["read", "delete", "update"],
    metadata: ["read", "create", "delete", "list", "update"],
    repository: ["read", "update", "delete", "list", "pull", "push"],
    artifact: ["read", "create", "list", "delete"],
    scan: ["create", "read", "stop"],
    sbom: ["create", "stop", "read"],
    tag: ["create", "list", "delete"],
    accessory: ["list"],
    "artifact-addition": ["read"],
    "artifact-label": ["create", "delete"],
    scanner: ["create", "read"],
    "preheat-policy": ["read", "create", "delete", "list", "update"],
    "immutable-tag": ["create", "delete", "list", "update"],
    "notification-policy": ["read", "create", "delete", "list", "update"],
    "tag-retention": ["read", "create", "delete", "list", "update"],
    label: ["read", "create", "delete", "list", "update"],
    quota: ["read"],
    robot: ["create", "read", "list", "delete"],
    "export-cve": ["create", "read"],
    member: ["create", "read", "update", "list", "delete"],
  },
};

/** Whether Harbor 2.15.2 accepts `resource:action` on a robot of `level`. */
export function harborAllowsRobotPermission(level: string, resource: string, action: string): boolean {
  const table = level === "system" || level === "project" ? HARBOR_ROBOT_PERMISSIONS[level] : {};
  return Object.hasOwn(table, resource) && table[resource].includes(action);
}
