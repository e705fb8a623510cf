// The stack's configuration, parsed and validated in one pure function before any resource
// is registered. `topology` selects a preset; explicit keys override it.
import {
  ConfigError,
  bool,
  hostname,
  int,
  isPlainObject,
  k8sName,
  list,
  obj,
  oneOf,
  size,
  storageClass,
  duration,
} from "./validate";

import {
  HARBOR_CONFIG_KEY,
  parseHarborConfiguration,
  requiredSecretKeys,
  type HarborConfigurationSpec,
} from "./harbor-config";
import {
  OBJECT_STORE_SECRET_KEYS,
  PROD_KEYS,
  parseNetworkPolicy,
  parseProd,
  type NetworkPolicySettings,
  type ProdSettings,
} from "./prod";
import { DR_KEYS, RESTORED_SECRET_KEYS, parseDr, restoredSecretKeys, type DrConfig } from "./dr";

import {
  OBSERVABILITY_KEYS,
  parseObservability,
  secretConfigKeys,
  type ObservabilityConfig,
} from "./observability";

export { ConfigError } from "./validate";
export type { DrConfig } from "./dr";
export * from "./prod";

export const TOPOLOGIES = ["dev", "prod"] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export interface GatewayParentRef {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

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
  /** Which namespaces may reach Harbor, scrape metrics, and where the API server answers. */
  readonly networkPolicy: NetworkPolicySettings;
  /** The prod data tier (cert-manager, CloudNativePG, Redis Sentinel, object store); prod only. */
  readonly prod?: ProdSettings;
  /** Disaster recovery to AWS: DR bucket, mirror, Velero, restore switch; prod only. */
  readonly dr?: DrConfig;
}

/**
 * Keys of other namespaces the program reads, kept with their namespace: `aws:region` is the
 * DR bucket's region (and the region Pulumi's AWS tooling defaults to).
 */
export const AWS_REGION_KEY = "aws:region";
export const FOREIGN_KEYS = [AWS_REGION_KEY] as const;

/** Keys the program knows; anything else in the stack's namespace is a typo and refused. */
export const KNOWN_KEYS = [
  "topology",
  "hostname",
  "namespace",
  "exposure",
  "ingressClassName",
  "gatewayParentRefs",
  "nasStorageClass",
  "localStorageClass",
  "registryStorageSize",
  "trivyStorageSize",
  "jobLogStorageSize",
  "databaseStorageSize",
  "redisStorageSize",
  "replicas",
  "trivyReplicas",
  "logLevel",
  "uploadPurgeAge",
  "caValidityDays",
  "certValidityDays",
  "namespaceQuota",
  "protectData",
  HARBOR_CONFIG_KEY,
  ...OBSERVABILITY_KEYS,
  "networkPolicy",
  ...PROD_KEYS,
  ...DR_KEYS,
] as const;

interface Preset {
  readonly replicas: number;
  readonly trivyReplicas: number;
  readonly nasClass?: string;
  readonly localClass?: string;
  readonly registrySize: string;
  readonly namespaceQuota: NamespaceQuota;
  readonly protectData: boolean;
}

/** What each topology brings when a key is not set (DESIGN.md, "Topologies"). */
export const PRESETS: Record<Topology, Preset> = {
  dev: {
    replicas: 1,
    trivyReplicas: 1,
    nasClass: "nfs-client",
    localClass: "local-path",
    registrySize: "50Gi",
    namespaceQuota: { storage: "500Gi", persistentVolumeClaims: 20 },
    protectData: false,
  },
  prod: {
    replicas: 3,
    trivyReplicas: 3,
    // No storage class defaults in prod: the operator must name the cluster's real classes.
    registrySize: "500Gi",
    namespaceQuota: { storage: "20Ti", persistentVolumeClaims: 100 },
    protectData: true,
  },
};

export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * Ingress classes whose controller the program tells to verify Harbor's internal TLS (prod):
 * Traefik by a ServersTransport, ingress-nginx by its proxy-ssl annotations.
 */
export const BACKEND_TRUST_INGRESS_CLASSES = ["traefik", "nginx"] as const;

function parseExposure(raw: RawConfig, topology: Topology): Exposure {
  const kind = oneOf("exposure", raw.exposure, ["ingress", "gateway", "loadBalancer"] as const, "ingress");
  switch (kind) {
    case "ingress": {
      const className = k8sName("ingressClassName", raw.ingressClassName, "traefik");
      if (topology === "prod" && !(BACKEND_TRUST_INGRESS_CLASSES as readonly string[]).includes(className))
        throw new ConfigError(
          "ingressClassName",
          raw.ingressClassName,
          `${BACKEND_TRUST_INGRESS_CLASSES.join(" or ")} in prod (the controllers told to verify Harbor's internal TLS); otherwise exposure gateway or loadBalancer`,
        );
      return { kind, className };
    }
    case "gateway": {
      const refs = list("gatewayParentRefs", raw.gatewayParentRefs ?? []);
      if (refs.length === 0) {
        throw new ConfigError(
          "gatewayParentRefs",
          raw.gatewayParentRefs,
          "at least one {name, namespace} when exposure is gateway",
        );
      }
      const parentRefs = refs.map((ref, i) => {
        const key = `gatewayParentRefs[${i}]`;
        const o = obj(key, ref, ["name", "namespace", "sectionName"]);
        return {
          name: k8sName(`${key}.name`, o.name),
          ...(o.namespace !== undefined ? { namespace: k8sName(`${key}.namespace`, o.namespace) } : {}),
          ...(o.sectionName !== undefined
            ? { sectionName: k8sName(`${key}.sectionName`, o.sectionName) }
            : {}),
        };
      });
      return { kind, parentRefs };
    }
    case "loadBalancer":
      return { kind };
  }
}

function requiredIn(topology: Topology, key: string, value: unknown, fallback: string | undefined): unknown {
  if (value === undefined && fallback === undefined) {
    throw new ConfigError(
      key,
      value,
      `required for topology ${topology}: the name of a StorageClass in the cluster`,
    );
  }
  return value ?? fallback;
}

function parseQuota(raw: unknown, preset: NamespaceQuota): NamespaceQuota {
  if (raw === undefined) return preset;
  const o = obj("namespaceQuota", raw, ["storage", "persistentVolumeClaims"]);
  return {
    storage: size("namespaceQuota.storage", o.storage, preset.storage),
    persistentVolumeClaims: int(
      "namespaceQuota.persistentVolumeClaims",
      o.persistentVolumeClaims,
      preset.persistentVolumeClaims,
      1,
    ),
  };
}

/**
 * Turns the stack's config (keys without the `harbor-platform:` prefix, structured values
 * already decoded) into a typed PlatformConfig, or throws one ConfigError.
 */
export function parseConfig(raw: RawConfig): PlatformConfig {
  const topology = oneOf("topology", raw.topology, TOPOLOGIES);
  const observability = parseObservability(raw, topology);
  const harborConfig = withAuditLogForwarding(
    parseHarborConfiguration(raw[HARBOR_CONFIG_KEY], topology),
    observability,
  );
  const secretKeys = requiredSecretKeys(harborConfig);
  const logSecrets = secretConfigKeys(observability);
  for (const key of Object.keys(raw)) {
    if (
      !(KNOWN_KEYS as readonly string[]).includes(key) &&
      !(FOREIGN_KEYS as readonly string[]).includes(key) &&
      !secretKeys.includes(key) &&
      !logSecrets.includes(key) &&
      !(Object.values(RESTORED_SECRET_KEYS) as string[]).includes(key)
    ) {
      throw new ConfigError(key, raw[key], `unknown key; known keys: ${KNOWN_KEYS.join(", ")}`);
    }
  }
  for (const key of secretKeys) {
    if (raw[key] === undefined) {
      throw new ConfigError(
        key,
        undefined,
        `required by ${HARBOR_CONFIG_KEY}: pulumi config set --secret ${key} <value>`,
      );
    }
  }
  const preset = PRESETS[topology];
  const replicas = int("replicas", raw.replicas, preset.replicas, 1, 10);
  if (topology === "prod" && replicas < 2) {
    throw new ConfigError(
      "replicas",
      raw.replicas,
      "at least 2 in prod: one replica cannot survive a node loss",
    );
  }
  if (topology === "dev") {
    for (const key of PROD_KEYS)
      if (raw[key] !== undefined)
        throw new ConfigError(key, raw[key], "only used by topology prod; remove it from the dev stack");
  } else if (raw.nasStorageClass !== undefined) {
    throw new ConfigError(
      "nasStorageClass",
      raw.nasStorageClass,
      "only used by topology dev; prod keeps images in the S3 object store",
    );
  }
  const protectData = bool("protectData", raw.protectData, preset.protectData);
  if (topology === "prod" && !protectData) {
    throw new ConfigError(
      "protectData",
      raw.protectData,
      "true in prod: data-bearing resources stay protected",
    );
  }
  const localClass = storageClass(
    "localStorageClass",
    requiredIn(topology, "localStorageClass", raw.localStorageClass, preset.localClass),
  );
  const databaseSize = size(
    "databaseStorageSize",
    raw.databaseStorageSize,
    topology === "prod" ? "50Gi" : "5Gi",
  );
  const redisSize = size("redisStorageSize", raw.redisStorageSize, "1Gi");
  const prod = topology === "prod" ? parseProd(raw, { localClass, databaseSize, redisSize }) : undefined;
  // Dev refuses the DR keys; prod requires `dr` and `aws:region`.
  const dr = parseDr(raw, topology, raw[AWS_REGION_KEY] as string | undefined);
  return {
    topology,
    hostname: hostname("hostname", raw.hostname),
    namespace: k8sName("namespace", raw.namespace, "harbor"),
    exposure: parseExposure(raw, topology),
    storage: {
      ...(topology === "dev"
        ? {
            nasClass: storageClass(
              "nasStorageClass",
              requiredIn(topology, "nasStorageClass", raw.nasStorageClass, preset.nasClass),
            ),
          }
        : {}),
      localClass,
      registrySize: size("registryStorageSize", raw.registryStorageSize, preset.registrySize),
      trivySize: size("trivyStorageSize", raw.trivyStorageSize, "5Gi"),
      jobLogSize: size("jobLogStorageSize", raw.jobLogStorageSize, "1Gi"),
      databaseSize,
      redisSize,
    },
    harbor: {
      replicas,
      trivyReplicas: int("trivyReplicas", raw.trivyReplicas, preset.trivyReplicas, 1, 10),
      logLevel: oneOf(
        "logLevel",
        raw.logLevel,
        ["debug", "info", "warning", "error", "fatal"] as const,
        "info",
      ),
      uploadPurgeAge: duration("uploadPurgeAge", raw.uploadPurgeAge, "168h").text,
    },
    tls: {
      caValidityDays: int("caValidityDays", raw.caValidityDays, 3650, 30, 36500),
      certValidityDays: int("certValidityDays", raw.certValidityDays, 397, 1, 825),
    },
    namespaceQuota: parseQuota(raw.namespaceQuota, preset.namespaceQuota),
    protectData,
    harborConfig,
    observability: withMirrorRpo(observability, dr, raw.alerting),
    secretKeys: [
      ...secretKeys,
      ...logSecrets,
      ...(prod?.objectStore.mode === "external" ? Object.values(OBJECT_STORE_SECRET_KEYS) : []),
      ...restoredSecretKeys(dr?.restore ?? { enabled: false }, raw),
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
    out[key] = /^[[{]/.test(text.trim()) ? decodeJson(key, text) : text;
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
