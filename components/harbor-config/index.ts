// HarborConfiguration: Harbor's own settings as code (quotas, schedules, projects, robots,
// registries, retention, immutability, replication) over the REST API of a running Harbor.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ConfigError } from "../../config/validate";
import { pullSecretName } from "../../config/schema/robots";
import { expiryView, renewalToken, type RobotExpiryView } from "./expiry";
import { HARBOR_CONFIG_KEY, HarborConfigurationSpec, SecretKeyRef } from "../../config/harbor-config";
import {
  HarborAuditLogPurgeSchedule,
  HarborConnectionArgs,
  HarborGcSchedule,
  HarborImmutableRule,
  HarborProject,
  HarborRegistry,
  HarborReplicationPolicy,
  HarborRetentionPolicy,
  HarborRobot,
  HarborScanAllSchedule,
  HarborSystemSettings,
} from "./resources";
import { withShortStacks } from "../platform/stack-traces";

export * from "./resources";
export * from "./expiry";

export interface HarborConfigurationArgs {
  readonly url: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
  /** PEM of the CA that issued Harbor's certificate, trusted alone; "" for node's default trust. */
  readonly caCert: pulumi.Input<string>;
  readonly spec: HarborConfigurationSpec;
  /** Values of the secret config keys the spec references (see requiredSecretKeys). */
  readonly secrets: Record<string, pulumi.Input<string>>;
  /**
   * What must be up before Harbor's API answers (its Helm release). Every resource waits for
   * it: a component's own dependsOn would not hold its children back.
   */
  readonly harborReady?: pulumi.Resource;
  /** Where robots' pull Secrets go (robots with pullSecretNamespaces): the registry host they name. */
  readonly pullSecrets?: { readonly registry: string; readonly provider?: k8s.Provider };
  /** The time scheduled renewals are reckoned from (ms); now by default. */
  readonly now?: number;
}

/** A robot's expiry as Harbor reports it, with the warning the alerts use. */
export interface RobotExpiry {
  /** Unix seconds; -1 never. */
  readonly expiresAt: number;
  readonly warningDays: number;
  readonly rotateEveryDays?: number;
}

/** A `kubernetes.io/dockerconfigjson` document for one registry, as `kubectl create secret docker-registry` writes it. */
export function dockerConfigJson(registry: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [registry]: { username, password, auth } } });
}

/** A declared project as its Harbor resource takes it; `registryId` 0: not a proxy cache. */
export function projectInputs<Id>(p: HarborConfigurationSpec["projects"][number], registryId: Id) {
  return {
    name: p.name,
    public: p.public,
    quotaBytes: p.quotaBytes,
    scanOnPush: p.scanOnPush,
    preventVulnerable: p.preventVulnerable,
    cosign: p.cosign,
    cveAllowlist: [...p.cveAllowlist],
    registryId,
  };
}

export class HarborConfiguration extends pulumi.ComponentResource {
  /** Robot secrets by robot name (project robots as `<project>+<name>`); a secret output. */
  readonly robotSecrets: pulumi.Output<Record<string, string>>;
  /** Harbor's full robot names (`robot$...`), the user name CI logs in with. */
  readonly robotNames: pulumi.Output<Record<string, string>>;
  readonly projectIds: pulumi.Output<Record<string, number>>;
  /** Robots' expiry by robot name, as Harbor answered it (Unix seconds, -1 never). */
  readonly robotExpiries: pulumi.Output<Record<string, RobotExpiry>>;
  /** The same for people: RFC 3339 dates, the warning's start, the next scheduled renewal. */
  readonly robotExpiry: pulumi.Output<Record<string, RobotExpiryView>>;

  constructor(name: string, args: HarborConfigurationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:harbor-config:HarborConfiguration", name, {}, opts);
    const { spec } = args;
    const conn: HarborConnectionArgs = {
      url: args.url,
      username: args.username,
      password: args.password,
      caCert: args.caCert,
    };
    const child = { parent: this, dependsOn: args.harborReady ? [args.harborReady] : [] };
    const secret = (ref: SecretKeyRef, key: string): pulumi.Output<string> => {
      const v = args.secrets[ref.secretKey];
      if (v === undefined)
        throw new ConfigError(
          key,
          ref,
          `the secret config key ${ref.secretKey} must be set (pulumi config set --secret ${ref.secretKey} ...)`,
        );
      return pulumi.secret(v);
    };

    new HarborSystemSettings(`${name}-settings`, conn, settingsValues(spec, secret), child);
    if (spec.gc) new HarborGcSchedule(`${name}-gc`, conn, spec.gc, child);
    if (spec.auditLogPurge)
      new HarborAuditLogPurgeSchedule(
        `${name}-audit-log-purge`,
        conn,
        { ...spec.auditLogPurge, eventTypes: [...spec.auditLogPurge.eventTypes] },
        child,
      );
    if (spec.scanAll) new HarborScanAllSchedule(`${name}-scan-all`, conn, spec.scanAll, child);

    const registries = new Map<string, HarborRegistry>();
    for (const r of spec.registries) {
      registries.set(
        r.name,
        new HarborRegistry(
          `${name}-registry-${r.name}`,
          conn,
          {
            name: r.name,
            type: r.type,
            url: r.url,
            insecure: r.insecure,
            accessKey: r.credential?.accessKey ?? "",
            accessSecret: r.credential
              ? secret(r.credential.accessSecret, `${HARBOR_CONFIG_KEY}.registries.${r.name}.credential`)
              : "",
          },
          child,
        ),
      );
    }

    const projects = new Map<string, HarborProject>();
    const buildProject = (p: HarborConfigurationSpec["projects"][number]) => {
      const project = new HarborProject(
        `${name}-project-${p.name}`,
        conn,
        projectInputs(
          p,
          p.proxyCacheRegistry ? (registries.get(p.proxyCacheRegistry) as HarborRegistry).registryId : 0,
        ),
        child,
      );
      projects.set(p.name, project);
      if (p.retention) {
        new HarborRetentionPolicy(
          `${name}-retention-${p.name}`,
          conn,
          { projectId: project.projectId, cron: p.retention.cron, rules: [...p.retention.rules] },
          child,
        );
      }
      p.immutableTags.forEach((rule, i) => {
        new HarborImmutableRule(
          `${name}-immutable-${p.name}-${i}`,
          conn,
          { projectId: project.projectId, ...rule },
          child,
        );
      });
    };

    const secrets: Record<string, pulumi.Output<string>> = {};
    const names: Record<string, pulumi.Output<string>> = {};
    // Each robot's expiry as Harbor reports it, and what the config says of its warning and
    // renewal: joined once for all robots rather than with an output per robot.
    const expiresAt: Record<string, pulumi.Output<number>> = {};
    const expiryPolicy: Record<string, Omit<RobotExpiry, "expiresAt">> = {};
    const now = args.now ?? Date.now();
    const buildRobot = (r: HarborConfigurationSpec["robots"][number]) => {
      const key = r.project ? `${r.project}+${r.name}` : r.name;
      // A robot waits only for the declared projects its permissions name.
      const dependsOn = r.permissions
        .map((p) => projects.get(p.namespace))
        .filter((p): p is HarborProject => p !== undefined);
      const robot = new HarborRobot(
        `${name}-robot-${key.replace("+", "-")}`,
        conn,
        {
          name: r.name,
          level: r.level,
          project: r.project ?? "",
          description: r.description,
          durationDays: r.durationDays,
          permissions: r.permissions.map((p) => ({ ...p, access: [...p.access] })),
          rotation: r.rotation,
          ...(r.rotateEveryDays !== undefined ? { renewal: renewalToken(now, r.rotateEveryDays) } : {}),
        },
        { ...child, dependsOn: [...child.dependsOn, ...dependsOn] },
      );
      secrets[key] = robot.secret;
      names[key] = robot.fullName;
      expiresAt[key] = robot.expiresAt;
      expiryPolicy[key] = {
        warningDays: r.expiryWarningDays,
        ...(r.rotateEveryDays !== undefined ? { rotateEveryDays: r.rotateEveryDays } : {}),
      };
      const pull = args.pullSecrets;
      // No outputs for robots without pull Secrets: at 10,000 robots they cost memory.
      if (pull && r.pullSecretNamespaces.length > 0) {
        const secretName = pullSecretName(r);
        // Follows the robot: a rotation or renewal rewrites it in the same `up`.
        const stringData = pulumi.secret(
          pulumi.all([robot.fullName, robot.secret]).apply(([user, password]) => ({
            ".dockerconfigjson": dockerConfigJson(pull.registry, user, password),
          })),
        );
        for (const namespace of r.pullSecretNamespaces)
          new k8s.core.v1.Secret(
            `${name}-pull-${namespace}-${secretName}`,
            {
              metadata: { name: secretName, namespace },
              type: "kubernetes.io/dockerconfigjson",
              stringData,
            },
            { parent: this, provider: pull.provider },
          );
      }
    };

    const buildReplication = (r: HarborConfigurationSpec["replications"][number]) => {
      const projectDep = projects.get(r.sourceProject);
      new HarborReplicationPolicy(
        `${name}-replication-${r.name}`,
        conn,
        { ...r, registryId: (registries.get(r.registry) as HarborRegistry).registryId },
        { ...child, dependsOn: projectDep ? [...child.dependsOn, projectDep] : child.dependsOn },
      );
    };

    // Projects before the robots and replications that wait for them.
    const built = inTurns([
      ...spec.projects.map((p) => () => buildProject(p)),
      ...spec.robots.map((r) => () => buildRobot(r)),
      ...spec.replications.map((r) => () => buildReplication(r)),
    ]);
    const whenBuilt = <T>(value: () => pulumi.Output<T>): pulumi.Output<T> =>
      pulumi.output(built).apply(value);
    this.robotSecrets = pulumi.secret(whenBuilt(() => pulumi.all(secrets)));
    this.robotNames = whenBuilt(() => pulumi.all(names));
    this.robotExpiries = whenBuilt(() =>
      pulumi
        .all(expiresAt)
        .apply((at) =>
          Object.fromEntries(Object.entries(at).map(([k, e]) => [k, { ...expiryPolicy[k], expiresAt: e }])),
        ),
    );
    this.robotExpiry = this.robotExpiries.apply((m) =>
      Object.fromEntries(
        Object.entries(m).map(([k, e]) => [
          k,
          expiryView(e.expiresAt, e.warningDays, e.rotateEveryDays, now),
        ]),
      ),
    );
    this.projectIds = whenBuilt(() =>
      pulumi.all(Object.fromEntries([...projects].map(([n, p]) => [n, p.projectId]))),
    );
    this.registerOutputs({
      robotSecrets: this.robotSecrets,
      robotNames: this.robotNames,
      projectIds: this.projectIds,
    });
  }
}

/**
 * Resources built per turn of the event loop (see inTurns). Measured with `npm run bench` at
 * 2,000 projects with robots: 200 a turn peaks at about 610 MB, 50 at 545 MB, 1,000 at 725 MB
 * and all at once at 1.35 GB. Tests lower it to exercise several turns cheaply.
 */
export const buildSettings = { resourcesPerTurn: 200 };

/**
 * Runs the builds `buildSettings.resourcesPerTurn` at a time and resolves to their count,
 * yielding to the event loop between turns; the first turn runs at once, so a spec of a few
 * hundred objects is built within the constructor. A resource's registration holds ~60 promises,
 * each with a recorded stack, until the engine answers, which it can do only once the program
 * yields: built in one go, 10,000 projects with their robots held several GB. The SDK's RPC
 * keep-alive holds the program open until the last turn has registered its resources.
 */
async function inTurns(builds: readonly (() => void)[]): Promise<number> {
  const done = pulumi.runtime.rpcKeepAlive();
  const size = buildSettings.resourcesPerTurn;
  try {
    for (let i = 0; i < builds.length; i += size) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      withShortStacks(() => builds.slice(i, i + size).forEach((build) => build()));
    }
  } finally {
    done();
  }
  return builds.length;
}

/** The spec's settings as Harbor configuration keys; secrets go to the write-only map. */
function settingsValues(
  spec: HarborConfigurationSpec,
  secret: (ref: SecretKeyRef, key: string) => pulumi.Output<string>,
): { values: Record<string, string | number | boolean>; writeOnly: pulumi.Input<Record<string, string>> } {
  const s = spec.settings;
  const values: Record<string, string | number | boolean> = {
    storage_per_project: s.projectQuotaBytes,
    project_creation_restriction: s.projectCreationRestriction,
    robot_token_duration: s.robotTokenDays,
    audit_log_forward_endpoint: s.auditLogForwardEndpoint,
  };
  const a = s.auth;
  if (a?.kind === "oidc") {
    Object.assign(values, {
      auth_mode: "oidc_auth",
      oidc_name: a.name,
      oidc_endpoint: a.endpoint,
      oidc_client_id: a.clientId,
      oidc_scope: a.scope,
      oidc_groups_claim: a.groupsClaim,
      oidc_admin_group: a.adminGroup,
      oidc_user_claim: a.userClaim,
      oidc_verify_cert: a.verifyCert,
      oidc_auto_onboard: a.autoOnboard,
    });
    return {
      values,
      writeOnly: pulumi.all({
        oidc_client_secret: secret(a.clientSecret, `${HARBOR_CONFIG_KEY}.settings.auth.oidc.clientSecret`),
      }),
    };
  }
  if (a?.kind === "ldap") {
    Object.assign(values, {
      auth_mode: "ldap_auth",
      ldap_url: a.url,
      ldap_search_dn: a.searchDn,
      ldap_base_dn: a.baseDn,
      ldap_filter: a.filter,
      ldap_uid: a.uid,
      ldap_scope: a.scope,
      ldap_verify_cert: a.verifyCert,
    });
    return {
      values,
      writeOnly: pulumi.all({
        ldap_search_password: secret(
          a.searchPassword,
          `${HARBOR_CONFIG_KEY}.settings.auth.ldap.searchPassword`,
        ),
      }),
    };
  }
  return { values, writeOnly: {} };
}
