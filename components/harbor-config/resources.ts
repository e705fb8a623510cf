// Pulumi resources over the Harbor dynamic provider. Every resource of every kind carries the same
// small loader (provider-module.ts) in its `__provider` input, which is what the nodejs
// dynamic-provider host runs; the `harborKind` input picks the handler.
import * as pulumi from "@pulumi/pulumi";
import type { Kind } from "./provider";
import { KIND_INPUT, PROVIDER_INPUT } from "./provider-module";
import { PROVIDER_LOADER } from "./provider-module";
import type { RetentionRuleSpec, RobotPermissionSpec } from "../../config/harbor-config";

export interface HarborConnectionArgs {
  readonly url: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
  readonly caCert: pulumi.Input<string>;
}

type Declared<T> = { readonly [K in keyof T]: pulumi.Input<T[K]> };

const secretConnections = new WeakMap<HarborConnectionArgs, pulumi.Output<unknown>>();

/**
 * The admin password travels in every resource's state: the whole connection is secret. One
 * Output per connection, shared by every resource that uses it (thousands of projects).
 */
function secretConnection(connection: HarborConnectionArgs): pulumi.Output<unknown> {
  let secret = secretConnections.get(connection);
  if (!secret) {
    secret = pulumi.secret(connection);
    secretConnections.set(connection, secret);
  }
  return secret;
}

/**
 * What pulumi.dynamic.Resource registers (the `pulumi-nodejs:dynamic/<module>:<type>` token and
 * the provider in `__provider`), with a loader of the installed provider in place of its
 * serialized closure.
 */
abstract class HarborResource extends pulumi.CustomResource {
  protected constructor(
    kind: Kind,
    name: string,
    connection: HarborConnectionArgs,
    declared: object,
    outputs: readonly string[],
    opts: pulumi.CustomResourceOptions | undefined,
    secretOutputs: readonly string[] = [],
  ) {
    const inputs = {
      ...declared,
      [KIND_INPUT]: kind,
      connection: secretConnection(connection),
      [PROVIDER_INPUT]: PROVIDER_LOADER,
    };
    super(
      `pulumi-nodejs:dynamic/harbor:Harbor${kind[0].toUpperCase()}${kind.slice(1)}`,
      name,
      { ...inputs, ...Object.fromEntries(outputs.map((o) => [o, undefined])) },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connection", ...secretOutputs],
      },
    );
    // The SDK puts an Output of every input on the resource, and the parent keeps every child
    // until the program ends: ~1.2 KB per Output, most of what 20,000 Harbor resources hold.
    // The program reads only the declared outputs, so the echoes of its own inputs go.
    for (const key of Object.keys(inputs)) delete (this as unknown as Record<string, unknown>)[key];
  }
}

export interface SystemSettingsArgs {
  /** Harbor configuration keys (storage_per_project, auth_mode, oidc_*, ...) and their values. */
  values: Record<string, string | number | boolean>;
  /** Write-only keys (oidc_client_secret, ldap_search_password): compared with the last applied value. */
  writeOnly: Record<string, string>;
}
export class HarborSystemSettings extends HarborResource {
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<SystemSettingsArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      "settings",
      name,
      connection,
      { values: args.values, writeOnly: pulumi.secret(args.writeOnly) },
      [],
      opts,
      ["writeOnly"],
    );
  }
}

export class HarborGcSchedule extends HarborResource {
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<{ cron: string; deleteUntagged: boolean; workers: number }>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("gc", name, connection, args, [], opts);
  }
}

export class HarborAuditLogPurgeSchedule extends HarborResource {
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<{ cron: string; retentionHours: number; eventTypes: string[] }>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("auditLogPurge", name, connection, args, [], opts);
  }
}

export class HarborScanAllSchedule extends HarborResource {
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<{ cron: string }>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("scanAll", name, connection, args, [], opts);
  }
}

export interface RegistryArgs {
  name: string;
  type: string;
  url: string;
  insecure: boolean;
  accessKey: string;
  accessSecret: string;
}
export class HarborRegistry extends HarborResource {
  declare readonly registryId: pulumi.Output<number>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<RegistryArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      "registry",
      name,
      connection,
      { ...args, accessSecret: pulumi.secret(args.accessSecret) },
      ["registryId"],
      opts,
      ["accessSecret"],
    );
  }
}

export interface ProjectArgs {
  name: string;
  public: boolean;
  quotaBytes: number;
  scanOnPush: boolean;
  preventVulnerable: string;
  cosign: boolean;
  cveAllowlist: string[];
  /** Registry id of a proxy-cache project; 0 for a normal project. */
  registryId: number;
}
export class HarborProject extends HarborResource {
  declare readonly projectId: pulumi.Output<number>;
  declare readonly quotaId: pulumi.Output<number>;
  declare readonly retentionId: pulumi.Output<number>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<ProjectArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("project", name, connection, args, ["projectId", "quotaId", "retentionId"], opts);
  }
}

export interface RobotArgs {
  name: string;
  level: "system" | "project";
  /** Project of a project-level robot, "" for a system robot. */
  project: string;
  description: string;
  durationDays: number;
  permissions: RobotPermissionSpec[];
  /** Any change of this value refreshes (rotates) the secret; the expiry stays. */
  rotation: string;
  /** The scheduled renewal's period (rotateEveryDays): a change creates the robot again. */
  renewal?: string;
}
export class HarborRobot extends HarborResource {
  declare readonly robotId: pulumi.Output<number>;
  declare readonly fullName: pulumi.Output<string>;
  declare readonly secret: pulumi.Output<string>;
  declare readonly expiresAt: pulumi.Output<number>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<RobotArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("robot", name, connection, args, ["robotId", "fullName", "secret", "expiresAt"], opts, ["secret"]);
  }
}

export class HarborRetentionPolicy extends HarborResource {
  declare readonly retentionId: pulumi.Output<number>;
  declare readonly adopted: pulumi.Output<boolean>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<{ projectId: number; cron: string; rules: RetentionRuleSpec[] }>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("retention", name, connection, args, ["retentionId", "adopted"], opts);
  }
}

export class HarborImmutableRule extends HarborResource {
  declare readonly ruleId: pulumi.Output<number>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<{ projectId: number; repositories: string; tags: string }>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("immutableRule", name, connection, args, ["ruleId"], opts);
  }
}

export interface ReplicationArgs {
  name: string;
  registryId: number;
  sourceProject: string;
  tags: string;
  destNamespace: string;
  trigger: string;
  cron: string;
  deletion: boolean;
  override: boolean;
  enabled: boolean;
}
export class HarborReplicationPolicy extends HarborResource {
  declare readonly policyId: pulumi.Output<number>;
  constructor(
    name: string,
    connection: HarborConnectionArgs,
    args: Declared<ReplicationArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super("replication", name, connection, args, ["policyId"], opts);
  }
}
