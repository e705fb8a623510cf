// The stack's configuration, parsed and validated in one pure function before any resource
// is registered. `topology` selects a preset; explicit keys override it.
import { ConfigError, isPlainObject } from "./validate";
import { AWS_REGION_KEY, FOREIGN_KEYS, KEYS, type Keys } from "./schema";
import type { GatewayParentRefValue } from "./schema/core";
import { isStructured, type KeyDef } from "./schema/define";
import { checkSecretRefs, parseKeys, type ParsedKeys } from "./schema/parse";

import {
  HARBOR_CONFIG_KEY,
  parseHarborConfiguration,
  requiredSecretKeys,
  type HarborConfigurationSpec,
} from "./harbor-config";
import {
  OBJECT_STORE_SECRET_KEYS,
  parseNetworkPolicy,
  parseProd,
  type NetworkPolicySettings,
  type ProdSettings,
} from "./prod";
import { parseDr, restoredSecretKeys, type DrConfig } from "./dr";

import { parseObservability, secretConfigKeys, type ObservabilityConfig } from "./observability";
import { dashboardsConfig, type DashboardsConfig } from "./schema/dashboards";
import { checkPullSecrets } from "./schema/robots";

export { ConfigError } from "./validate";
export type { DrConfig } from "./dr";
export * from "./prod";

export { TOPOLOGIES, type Topology } from "./schema/define";
import type { Topology } from "./schema/define";

export type GatewayParentRef = GatewayParentRefValue;

export type Exposure =
  | { readonly kind: "ingress"; readonly className: string }
  | { readonly kind: "gateway"; readonly parentRefs: readonly GatewayParentRef[] }
  | { readonly kind: "loadBalancer" };

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
}

export { AWS_REGION_KEY, FOREIGN_KEYS, KEYS } from "./schema";
export type RawConfig = Readonly<Record<string, unknown>>;

/** What each topology brings for the quota when `namespaceQuota` leaves a field out. */
export const NAMESPACE_QUOTA: Record<Topology, NamespaceQuota> = {
  dev: { storage: "500Gi", persistentVolumeClaims: 20 },
  prod: { storage: "20Ti", persistentVolumeClaims: 100 },
};

/**
 * Ingress classes whose controller the program tells to verify Harbor's internal TLS (prod):
 * Traefik by a ServersTransport, ingress-nginx by its proxy-ssl annotations.
 */
export const BACKEND_TRUST_INGRESS_CLASSES = ["traefik", "nginx"] as const;

type Parsed = ParsedKeys<Keys>;

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
      return { kind };
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
 * already decoded) into a typed PlatformConfig, or throws one ConfigError.
 */
export function parseConfig(raw: RawConfig, options: ParseConfigOptions = {}): PlatformConfig {
  const parseOptions = { ...options, foreignKeys: FOREIGN_KEYS };
  const { parsed: v, deferred } = parseKeys(KEYS, raw, "topology", parseOptions);
  const topology = v.topology;
  const observability = parseObservability(raw, topology);
  const harborConfig = withAuditLogForwarding(
    parseHarborConfiguration(raw[HARBOR_CONFIG_KEY], topology),
    observability,
  );
  checkPullSecrets(`${HARBOR_CONFIG_KEY}.robots`, harborConfig.robots);
  const secretKeys = requiredSecretKeys(harborConfig);
  const logSecrets = secretConfigKeys(observability);
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
  const prod = topology === "prod" ? parseProd(raw, { localClass, databaseSize, redisSize }) : undefined;
  // Dev refuses the DR keys; prod requires `dr` and `aws:region`.
  const dr = parseDr(raw, topology, raw[AWS_REGION_KEY] as string | undefined);
  const restored = restoredSecretKeys(dr?.restore ?? { enabled: false }, raw);
  checkSecretRefs(
    KEYS,
    raw,
    deferred,
    [
      ...secretKeys.map((key) => ({ key, by: HARBOR_CONFIG_KEY })),
      ...logSecrets.map((key) => ({ key, by: "logging.credentialsSecret" })),
    ],
    parseOptions,
  );
  const quota = v.get("namespaceQuota");
  return {
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
    tls: {
      caValidityDays: v.get("caValidityDays"),
      certValidityDays: v.get("certValidityDays"),
    },
    namespaceQuota: { ...NAMESPACE_QUOTA[topology], ...quota },
    protectData,
    harborConfig,
    observability: withMirrorRpo(observability, dr, raw.alerting),
    dashboards: dashboardsConfig(v.get("dashboards")),
    secretKeys: [
      ...secretKeys,
      ...logSecrets,
      ...(prod?.objectStore.mode === "external" ? Object.values(OBJECT_STORE_SECRET_KEYS) : []),
      ...restored,
    ],
    networkPolicy: parseNetworkPolicy(raw.networkPolicy, topology),
    ...(prod ? { prod } : {}),
    ...(dr ? { dr } : {}),
  };
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

/** The stale-mirror alert follows the RPO the DR config promises unless alerting sets its own. */
function withMirrorRpo(
  obs: ObservabilityConfig,
  dr: DrConfig | undefined,
  rawAlerting: unknown,
): ObservabilityConfig {
  const explicit = isPlainObject(rawAlerting) && rawAlerting.drMirrorRpoMinutes !== undefined;
  if (!dr || explicit) return obs;
  // The alert's own floor (5 minutes) holds here too: a tighter RPO would make it flap.
  return { ...obs, alerting: { ...obs.alerting, drMirrorRpoMinutes: Math.max(5, dr.mirror.rpoMinutes) } };
}

/**
 * Decodes Pulumi's string-valued config map (`harbor-platform:key` -> string) into raw
 * values: JSON objects, lists, numbers and booleans are decoded, other strings kept. The
 * FOREIGN_KEYS (`aws:region`) are kept under their full name.
 */
export function decodeStackConfig(
  all: Readonly<Record<string, string>>,
  project: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = `${project}:`;
  for (const [fullKey, text] of Object.entries(all)) {
    if ((FOREIGN_KEYS as readonly string[]).includes(fullKey)) {
      out[fullKey] = text;
      continue;
    }
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    // Only keys the schema reads as structured are decoded: `[::1]:514` stays a string.
    const def = (KEYS as Readonly<Record<string, KeyDef>>)[key];
    out[key] =
      def !== undefined && isStructured(def.schema) && /^[[{]/.test(text.trim())
        ? decodeJson(key, text)
        : text;
  }
  return out;
}

function decodeJson(key: string, text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) || Array.isArray(value) ? value : text;
  } catch {
    throw new ConfigError(key, text, "valid YAML/JSON structured config");
  }
}
