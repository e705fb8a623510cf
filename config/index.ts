// The stack's configuration, parsed and validated in one pure function before any resource
// is registered. `topology` selects a preset; explicit keys override it.
import { ConfigError, isPlainObject, touchesSecret, withSecretsHidden } from "./validate";
import { ALL_KEYS, AWS_REGION_KEY, FOREIGN_KEYS, KEYS, type AllKeys } from "./schema";
import { NAMESPACE_QUOTA, type GatewayParentRefValue } from "./schema/core";
import { isStructured, type KeyDef } from "./schema/define";
import { checkSecretRefs, parseKeys, structuredHint, type ParsedKeys } from "./schema/parse";

import {
  HARBOR_CONFIG_KEY,
  harborConfiguration,
  harborSecretRefs,
  requiredSecretKeys,
  type HarborConfigurationSpec,
} from "./harbor-config";
import {
  OBJECT_STORE_SECRET_KEYS,
  checkNamespaces,
  createdNamespaces,
  networkPolicySettings,
  pinnedMinioImage,
  prodSettings,
  type NetworkPolicySettings,
  type ProdSettings,
} from "./prod";
import { drConfig, restoredSecretKeys, type DrConfig } from "./dr";
import { loggingSecretRefs, observabilityConfig, type ObservabilityConfig } from "./observability";
import { dashboardsConfig, type DashboardsConfig } from "./schema/dashboards";
import { checkPullSecrets } from "./schema/robots";
import {
  checkAirGapped,
  checkProxyInSite,
  mirrorSecretKeys,
  mirrorSettings,
  withProxyCaches,
  type MirrorSettings,
} from "./mirror";
import {
  externalDestinations,
  proxyConfig,
  trivyConfig,
  type Destination,
  type ProxyConfig,
  type TrivyConfig,
} from "./proxy";
import { parseLoadBalancer, type LoadBalancerEntryPoint } from "./entry-point";
import { parseExistingOperators, type ExistingOperators } from "./existing-operators";
import { parseUpgrade, type UpgradeSettings } from "./upgrade";

export { ConfigError } from "./validate";
export type { DrConfig } from "./dr";
export type { ChartMirror, MirrorSettings } from "./mirror";
export type { LoadBalancerEntryPoint } from "./entry-point";
export type { ExistingOperators } from "./existing-operators";
export type { UpgradeSettings } from "./upgrade";
export type { Destination, ProxyConfig, TrivyConfig } from "./proxy";
export * from "./prod";

export { TOPOLOGIES, type Topology } from "./schema/define";
import type { Topology } from "./schema/define";

export type GatewayParentRef = GatewayParentRefValue;

export type Exposure =
  | { readonly kind: "ingress"; readonly className: string }
  | { readonly kind: "gateway"; readonly parentRefs: readonly GatewayParentRef[] }
  | { readonly kind: "loadBalancer"; readonly entryPoint?: LoadBalancerEntryPoint };

export interface StorageConfig {
  /** ReadWriteMany class (NAS/NFS) for the dev registry's filesystem store (dev only). */
  readonly nasClass?: string;
  /** Node-local (DAS) class for Trivy caches, databases, MinIO drives. */
  readonly localClass: string;
  readonly registrySize: string;
  readonly trivySize: string;
  readonly jobLogSize: string;
  readonly databaseSize: string;
  readonly redisSize: string;
}

export interface HarborSettings {
  /** Replicas of core, jobservice, portal, registry, exporter and nginx. */
  readonly replicas: number;
  readonly trivyReplicas: number;
  readonly logLevel: "debug" | "info" | "warning" | "error" | "fatal";
  readonly uploadPurgeAge: string;
}

export interface TlsSettings {
  readonly caValidityDays: number;
  readonly certValidityDays: number;
}

export interface NamespaceQuota {
  readonly storage: string;
  readonly persistentVolumeClaims: number;
}

export interface PlatformConfig {
  readonly topology: Topology;
  readonly hostname: string;
  readonly namespace: string;
  readonly exposure: Exposure;
  readonly storage: StorageConfig;
  readonly harbor: HarborSettings;
  readonly tls: TlsSettings;
  readonly namespaceQuota: NamespaceQuota;
  /** Whether data-bearing resources are protected from deletion (always true in prod). */
  readonly protectData: boolean;
  /** Harbor's own settings, schedules, projects and robots (configuration as code). */
  readonly harborConfig: HarborConfigurationSpec;
  /** Stack config keys holding secrets (Harbor configuration, external object store); read with requireSecret. */
  readonly secretKeys: readonly string[];
  /** Log shipping to ELK, Harbor's audit-log syslog target, alert tuning. */
  readonly observability: ObservabilityConfig;
  /** Grafana dashboards' ConfigMaps for the kube-prometheus-stack sidecar. */
  readonly dashboards: DashboardsConfig;
  /** Which namespaces may reach Harbor, scrape metrics, and where the API server answers. */
  readonly networkPolicy: NetworkPolicySettings;
  /** The prod data tier (cert-manager, CloudNativePG, Redis Sentinel, object store); prod only. */
  readonly prod?: ProdSettings;
  /** Disaster recovery to AWS: DR bucket, mirror, Velero, restore switch; prod only. */
  readonly dr?: DrConfig;
  /** The corporate proxy every component that calls out uses; absent: they call out directly. */
  readonly proxy?: ProxyConfig;
  /** Where Trivy gets its vulnerability databases. */
  readonly trivy: TrivyConfig;
  /** Every call the components make outside the cluster (their NetworkPolicies follow it). */
  readonly egress: readonly Destination[];
  /** Air-gapped site: internal chart repository and image registry, egress confined to the site. */
  readonly mirror?: MirrorSettings;
  /** Harbor's chart version and what guards a change of it (backup first, smoke test after). */
  readonly upgrade: UpgradeSettings;
  /** Operators the cluster already runs, used instead of installing them. */
  readonly existingOperators: ExistingOperators;
}

export { AWS_REGION_KEY, FOREIGN_KEYS, KEYS } from "./schema";
export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * Ingress classes whose controller the program tells to verify Harbor's internal TLS (prod):
 * Traefik by a ServersTransport, ingress-nginx by its proxy-ssl annotations.
 */
export const BACKEND_TRUST_INGRESS_CLASSES = ["traefik", "nginx"] as const;

type Parsed = ParsedKeys<AllKeys>;

function exposureOf(v: Parsed): Exposure {
  const kind = v.get("exposure");
  switch (kind) {
    case "ingress": {
      const className = v.get("ingressClassName");
      if (v.topology === "prod" && !(BACKEND_TRUST_INGRESS_CLASSES as readonly string[]).includes(className))
        throw new ConfigError(
          "ingressClassName",
          className,
          `${BACKEND_TRUST_INGRESS_CLASSES.join(" or ")} in prod (the controllers told to verify Harbor's internal TLS); otherwise exposure gateway or loadBalancer`,
        );
      return { kind, className };
    }
    case "gateway":
      return { kind, parentRefs: v.get("gatewayParentRefs") };
    case "loadBalancer":
      return { kind, entryPoint: parseLoadBalancer(v.get("loadBalancer")) };
  }
}

export interface ParseConfigOptions {
  /**
   * Keys the stack stores as secrets (`pulumi config set --secret`). When given, a key the
   * schema documents as secret but stored in plain text is refused.
   */
  readonly secretKeys?: ReadonlySet<string>;
}

/**
 * Turns the stack's config (keys without the `harbor-platform:` prefix, structured values
 * already decoded) into a typed PlatformConfig, or throws one ConfigError. Whichever rule
 * refuses, a value stored as a secret is not shown (withSecretsHidden).
 */
export function parseConfig(raw: RawConfig, options: ParseConfigOptions = {}): PlatformConfig {
  try {
    return parseTyped(raw, options);
  } catch (err) {
    if (err instanceof ConfigError && options.secretKeys)
      throw withSecretsHidden(err, raw, options.secretKeys);
    throw err;
  }
}

function parseTyped(raw: RawConfig, options: ParseConfigOptions): PlatformConfig {
  const { parsed: v, deferred } = parseKeys(ALL_KEYS, raw, "topology", options);
  const topology = v.topology;
  const dr =
    topology === "prod"
      ? drConfig({
          region: v.get(AWS_REGION_KEY),
          dr: v.get("dr"),
          backup: v.get("backup"),
          restore: v.get("restore"),
        })
      : undefined;
  const observability = observabilityConfig({
    logging: v.opt("logging"),
    auditLogSyslog: v.opt("auditLogSyslog"),
    alerting: v.get("alerting"),
    drRpoMinutes: dr?.mirror.rpoMinutes,
  });
  const mirror = mirrorSettings(v.opt("mirror"));
  const harborConfig = withProxyCaches(
    withAuditLogForwarding(harborConfiguration(v.get("harborConfig"), topology), observability),
    mirror,
  );
  checkPullSecrets(`${HARBOR_CONFIG_KEY}.robots`, harborConfig.robots);
  const secretKeys = requiredSecretKeys(harborConfig);
  const logSecrets = loggingSecretRefs(observability);
  const replicas = v.get("replicas");
  if (topology === "prod" && replicas < 2) {
    throw new ConfigError(
      "replicas",
      raw.replicas,
      "at least 2 in prod: one replica cannot survive a node loss",
    );
  }
  const protectData = v.get("protectData");
  if (topology === "prod" && !protectData) {
    throw new ConfigError(
      "protectData",
      raw.protectData,
      "true in prod: data-bearing resources stay protected",
    );
  }
  const localClass = v.get("localStorageClass");
  const databaseSize = v.get("databaseStorageSize");
  const redisSize = v.get("redisStorageSize");
  const prod =
    topology === "prod"
      ? prodSettings(
          {
            certManager: v.get("certManager"),
            database: v.get("database"),
            redis: v.get("redis"),
            objectStore: v.get("objectStore"),
            zones: v.get("zones"),
            secretsSet: new Set(Object.values(OBJECT_STORE_SECRET_KEYS).filter((k) => v.isSet(k))),
          },
          { localClass, databaseSize, redisSize },
        )
      : undefined;
  const networkPolicy = networkPolicySettings(v.get("networkPolicy"), topology);
  const restored = restoredSecretKeys(dr?.restore ?? { enabled: false }, (k) => v.isSet(k));
  const trivy = trivyConfig(v.get("trivy"), mirror?.registry);
  const trivyToken = trivy.mode === "offline" ? undefined : trivy.gitHubTokenSecret;
  const objectStore = prod?.objectStore;
  const external = objectStore?.mode === "external" ? objectStore.endpoint : undefined;
  const auth = harborConfig.settings.auth;
  const egress = externalDestinations({
    hostname: v.get("hostname"),
    harborConfig,
    auditLogSyslog: observability.auditLogSyslog,
    logging: observability.logging,
    trivy,
    ...(external ? { objectStoreEndpoint: external } : {}),
    ...(prod?.certManager.acme ? { acmeServer: prod.certManager.acme.server } : {}),
    ...(dr
      ? {
          dr: {
            veleroRegion: dr.bucket.region,
            // The mirror, the blob drill and the refill run beside MinIO only.
            jobRegions:
              objectStore?.mode === "minio"
                ? [dr.bucket.region, ...(dr.restore.enabled ? [dr.restore.source.region] : [])]
                : [],
          },
        }
      : {}),
  });
  const proxyValue = v.opt("proxy");
  const proxy = proxyValue
    ? proxyConfig(proxyValue, {
        apiServerCidrs: networkPolicy.apiServerCidrs,
        // The object store is the site's own storage; LDAP is no HTTP: both always direct.
        alwaysDirectHosts: [
          ...(external ? [new URL(external).hostname] : []),
          ...(auth?.kind === "ldap" ? [new URL(auth.url).hostname] : []),
        ],
        destinations: egress,
      })
    : undefined;
  if (proxy && mirror?.siteCidrs) checkProxyInSite(proxy, mirror.siteCidrs);
  checkAirGapped({
    ...(mirror ? { mirror } : {}),
    proxy: proxy !== undefined,
    egress,
    trivy,
    ...(prod?.certManager.acme ? { acmeServer: prod.certManager.acme.server } : {}),
    ...(objectStore?.mode === "minio" && !pinnedMinioImage(objectStore)
      ? { objectStoreImage: objectStore.image.repository }
      : {}),
  });
  checkSecretRefs(
    ALL_KEYS,
    raw,
    deferred,
    [
      ...harborSecretRefs(harborConfig),
      ...logSecrets,
      ...(trivyToken ? [{ key: trivyToken, by: "trivy.gitHubTokenSecret" }] : []),
      ...mirrorSecretKeys(mirror).map((key) => ({ key, by: "mirror.charts.passwordSecret" })),
    ],
    options,
  );
  const quota = v.get("namespaceQuota");
  const operatorsInput = v.get("existingOperators");
  // An operator's namespace must not be one the program creates (for anything else).
  const ownNamespaces = createdNamespaces({
    topology,
    namespace: v.get("namespace"),
    observability,
    ...(prod ? { prod } : {}),
    ...(dr ? { dr } : {}),
    existingOperators: operatorsInput,
  }).map((n) => n.name);
  const existingOperators = parseExistingOperators(operatorsInput, topology, ownNamespaces);
  if (existingOperators.certManager?.clusterIssuer !== undefined && prod?.certManager.issuer === "acme")
    throw new ConfigError(
      "existingOperators.certManager.clusterIssuer",
      existingOperators.certManager.clusterIssuer,
      "unset while certManager.issuer is acme: Harbor's public certificate has one issuer",
    );
  const config: PlatformConfig = {
    topology,
    hostname: v.get("hostname"),
    namespace: v.get("namespace"),
    exposure: exposureOf(v),
    storage: {
      ...(topology === "dev" ? { nasClass: v.get("nasStorageClass") } : {}),
      localClass,
      registrySize: v.get("registryStorageSize"),
      trivySize: v.get("trivyStorageSize"),
      jobLogSize: v.get("jobLogStorageSize"),
      databaseSize,
      redisSize,
    },
    harbor: {
      replicas,
      trivyReplicas: v.get("trivyReplicas"),
      logLevel: v.get("logLevel"),
      uploadPurgeAge: v.get("uploadPurgeAge"),
    },
    tls: tlsSettings(v),
    namespaceQuota: { ...NAMESPACE_QUOTA[topology], ...quota },
    protectData,
    harborConfig,
    observability,
    dashboards: dashboardsConfig(v.get("dashboards")),
    secretKeys: [
      ...secretKeys,
      ...logSecrets.map((r) => r.key),
      ...(prod?.objectStore.mode === "external" ? Object.values(OBJECT_STORE_SECRET_KEYS) : []),
      ...restored,
      ...(trivyToken ? [trivyToken] : []),
      ...mirrorSecretKeys(mirror),
    ],
    networkPolicy,
    trivy,
    egress,
    ...(proxy ? { proxy } : {}),
    ...(prod ? { prod } : {}),
    ...(dr ? { dr } : {}),
    ...(mirror ? { mirror } : {}),
    upgrade: parseUpgrade(
      { ...v.get("harborUpgrade"), chartVersion: v.opt("harborChartVersion") },
      topology,
      harborConfig,
      mirror?.registry,
    ),
    existingOperators,
  };
  checkNamespaces(createdNamespaces(config), networkPolicy);
  return config;
}

/**
 * The CA's and its certificates' validity: a certificate must not outlive the CA that signs it
 * (it would stop verifying on the day the CA expires). Both keys always have a value (Pulumi.yaml
 * declares their defaults), so the certificate's is the one named.
 */
function tlsSettings(v: Parsed): TlsSettings {
  const caValidityDays = v.get("caValidityDays");
  const certValidityDays = v.get("certValidityDays");
  if (certValidityDays > caValidityDays)
    throw new ConfigError(
      "certValidityDays",
      certValidityDays,
      `at most caValidityDays (${caValidityDays}): a certificate must not outlive the CA that issues it; lower it or raise caValidityDays`,
    );
  return { caValidityDays, certValidityDays };
}

/**
 * Whether the project's CA signs Harbor's public certificate: not with ACME, nor with the cluster's
 * own ClusterIssuer (`existingOperators.certManager.clusterIssuer`); then clients trust it through
 * their own roots and the portal offers no CA download.
 */
export function publicCertByProjectCa(cfg: PlatformConfig): boolean {
  if (cfg.existingOperators.certManager?.clusterIssuer !== undefined) return false;
  return cfg.prod?.certManager.issuer !== "acme";
}

/**
 * `auditLogSyslog` is where Harbor forwards its audit log: it becomes Harbor's
 * `audit_log_forward_endpoint` setting. Setting it in both places, differently, is refused.
 */
function withAuditLogForwarding(
  spec: HarborConfigurationSpec,
  obs: ObservabilityConfig,
): HarborConfigurationSpec {
  const endpoint = obs.auditLogSyslog?.endpoint;
  if (endpoint === undefined) return spec;
  const declared = spec.settings.auditLogForwardEndpoint;
  if (declared !== "" && declared !== endpoint) {
    throw new ConfigError(
      `${HARBOR_CONFIG_KEY}.settings.auditLogForwardEndpoint`,
      declared,
      `leave it unset or equal to auditLogSyslog (${endpoint}); auditLogSyslog already sets it`,
    );
  }
  return { ...spec, settings: { ...spec.settings, auditLogForwardEndpoint: endpoint } };
}

/** The project's keys among `fullKeys` (`harbor-platform:x`), without the prefix: how secret keys are named. */
export function projectKeys(fullKeys: readonly string[], project: string): Set<string> {
  const prefix = `${project}:`;
  return new Set(fullKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
}

/**
 * Decodes Pulumi's string-valued config map (`harbor-platform:key` -> string) into raw
 * values: the JSON of keys the schema reads as structured is decoded, other values stay
 * strings (the schema's leaves read "3" and "true"); flat `key.field` keys are folded into
 * their structured key. The FOREIGN_KEYS (`aws:region`) are kept under their full name.
 */
export function decodeStackConfig(
  all: Readonly<Record<string, string>>,
  project: string,
  /** Keys stored as secrets (unqualified): their text is never shown. */
  secretKeys?: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = `${project}:`;
  const flat: [string, string][] = [];
  for (const [fullKey, text] of Object.entries(all)) {
    if (fullKey in FOREIGN_KEYS) {
      out[fullKey] = text;
      continue;
    }
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const dot = key.indexOf(".");
    if (dot > 0 && isStructuredKey(key.slice(0, dot))) {
      flat.push([key, text]);
      continue;
    }
    // Only keys the schema reads as structured are decoded: `[::1]:514` stays a string.
    out[key] =
      isStructuredKey(key) && /^[[{]/.test(text.trim())
        ? decodeJson(key, text, touchesSecret(key, secretKeys))
        : text;
  }
  for (const [key, text] of flat) foldField(out, key, text, touchesSecret(key, secretKeys));
  return out;
}

function isStructuredKey(key: string): boolean {
  const def = (KEYS as Readonly<Record<string, KeyDef>>)[key];
  return def !== undefined && isStructured(def.schema);
}

/**
 * `dr.bucketName: x`, a flat key as `pulumi new` saves a template answer (it never sets by
 * path), becomes the field of `dr`. Setting the same field both ways is refused.
 */
function foldField(out: Record<string, unknown>, key: string, text: string, secret: boolean): void {
  const names = key.split(".");
  const top = names[0];
  const refuse = (allowed: string) => new ConfigError(key, text, allowed, { secret });
  let at: Record<string, unknown>;
  if (out[top] === undefined) out[top] = at = {};
  else if (isPlainObject(out[top])) at = out[top];
  else throw refuse(`a field of ${top}, which is not an object here`);
  for (const name of names.slice(1, -1)) {
    const next = at[name];
    if (next === undefined) at = at[name] = {};
    else if (isPlainObject(next)) at = next;
    else throw refuse(`a field of ${top}, which is not an object here`);
  }
  const last = names[names.length - 1];
  if (at[last] !== undefined) throw refuse(`set once: ${top} already sets ${names.slice(1).join(".")}`);
  at[last] = text;
}

/** A structured key's text (set on the command line): JSON only; YAML reaches the program only from the stack file. */
function decodeJson(key: string, text: string, secret: boolean): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) || Array.isArray(value) ? value : text;
  } catch {
    throw new ConfigError(key, text, `${structuredHint(key)}; this text is not valid JSON`, { secret });
  }
}
