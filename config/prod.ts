// The prod topology's data tier settings (cert-manager issuer, CloudNativePG, Redis Sentinel,
// object store, network policy), parsed and validated as pure functions. Every object is read
// with `obj()` so a typo is refused rather than silently ignored.
import { barmanRetention } from "../policy/concepts/duration";
import { NOT_A_CIDR, parseCidr } from "../policy/concepts/network";
import { images } from "../versions";
import {
  ConfigError,
  cron,
  httpsUrl,
  int,
  k8sName,
  list,
  obj,
  oneOf,
  optStr,
  size,
  storageClass,
  str,
} from "./validate";

export type IssuerKind = "ca" | "acme";

export interface AcmeSettings {
  readonly email: string;
  readonly server: string;
  /** IngressClass the HTTP-01 solver uses. */
  readonly solverIngressClass: string;
}

export interface CertManagerSettings {
  /** Issuer of Harbor's public (ingress) certificate; internal certificates always use the CA. */
  readonly issuer: IssuerKind;
  readonly acme?: AcmeSettings;
}

/** How many zones the data tier spreads over (`topology.kubernetes.io/zone`); 1: no zone spread. */
export interface ZoneSpread {
  readonly zones: number;
}

export interface DatabaseSettings extends ZoneSpread {
  readonly instances: number;
  readonly storageClass: string;
  readonly size: string;
  /** barman retention, `XXd|w|m` (the ObjectStore CRD's pattern). */
  readonly backupRetention: string;
  /** Six-field cron (seconds first), as CloudNativePG's ScheduledBackup expects. */
  readonly backupSchedule: string;
}

export interface RedisSettings extends ZoneSpread {
  /** Pods of redis-ha; each runs one Redis data node and one sentinel. */
  readonly replicas: number;
  readonly storageClass: string;
  readonly size: string;
}

export interface BucketNames {
  readonly registry: string;
  readonly backups: string;
}

export interface MinioSettings extends ZoneSpread {
  readonly mode: "minio";
  readonly nodes: number;
  readonly drivesPerNode: number;
  readonly driveSize: string;
  readonly storageClass: string;
  readonly image: { readonly repository: string; readonly tag: string };
  readonly buckets: BucketNames;
}

export interface ExternalObjectStore {
  readonly mode: "external";
  /** https:// endpoint of any S3 implementation. */
  readonly endpoint: string;
  readonly region: string;
  readonly buckets: BucketNames;
}

export type ObjectStoreSettings = MinioSettings | ExternalObjectStore;

export interface NetworkPolicySettings {
  /** Namespace of the ingress controller (or Gateway) that forwards to Harbor. */
  readonly ingressNamespace: string;
  /** Namespace of the Prometheus that scrapes metrics. */
  readonly monitoringNamespace: string;
  /** Where the Kubernetes API server answers (operators and instance managers call it). */
  readonly apiServerCidrs: readonly string[];
}

export interface ProdSettings {
  readonly certManager: CertManagerSettings;
  readonly database: DatabaseSettings;
  readonly redis: RedisSettings;
  readonly objectStore: ObjectStoreSettings;
}

/** Secret config keys holding the external object store's credentials (`pulumi config set --secret`). */
export const OBJECT_STORE_SECRET_KEYS = {
  accessKey: "objectStoreAccessKey",
  secretKey: "objectStoreSecretKey",
} as const;

/** Structured keys that only the prod topology reads. */
export const PROD_KEYS = [
  "certManager",
  "database",
  "redis",
  "objectStore",
  "zones",
  OBJECT_STORE_SECRET_KEYS.accessKey,
  OBJECT_STORE_SECRET_KEYS.secretKey,
] as const;

const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

export interface ProdDefaults {
  readonly localClass: string;
  readonly databaseSize: string;
  readonly redisSize: string;
}

function section(key: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  return value === undefined ? {} : obj(key, value, allowed);
}

function parseCertManager(raw: unknown): CertManagerSettings {
  const o = section("certManager", raw, ["issuer", "acme"]);
  const issuer = oneOf("certManager.issuer", o.issuer, ["ca", "acme"] as const, "ca");
  if (issuer === "ca") {
    if (o.acme !== undefined)
      throw new ConfigError("certManager.acme", o.acme, "only used when certManager.issuer is acme");
    return { issuer };
  }
  if (o.acme === undefined)
    throw new ConfigError("certManager.acme", o.acme, "required when certManager.issuer is acme: {email}");
  const a = obj("certManager.acme", o.acme, ["email", "server", "solverIngressClass"]);
  const email = str("certManager.acme.email", a.email, "an e-mail address like ops@example.com");
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw new ConfigError("certManager.acme.email", a.email, "an e-mail address like ops@example.com");
  return {
    issuer,
    acme: {
      email,
      server: a.server === undefined ? LETS_ENCRYPT : httpsUrl("certManager.acme.server", a.server),
      solverIngressClass: k8sName("certManager.acme.solverIngressClass", a.solverIngressClass, "traefik"),
    },
  };
}

function parseDatabase(raw: unknown, d: ProdDefaults, zones: number): DatabaseSettings {
  const o = section("database", raw, [
    "instances",
    "storageClass",
    "size",
    "backupRetention",
    "backupSchedule",
  ]);
  const instances = int("database.instances", o.instances, 3, 1, 9);
  if (instances < 3)
    throw new ConfigError(
      "database.instances",
      o.instances,
      "at least 3 in prod: a primary and two replicas keep a quorum after a node loss",
    );
  const backupRetention = optStr("database.backupRetention", o.backupRetention, "30d");
  if (barmanRetention(backupRetention) === undefined)
    throw new ConfigError(
      "database.backupRetention",
      o.backupRetention,
      "a positive count of days, weeks or months like 30d, 4w or 3m",
    );
  return {
    instances,
    storageClass: storageClass("database.storageClass", o.storageClass, d.localClass),
    size: size("database.size", o.size, d.databaseSize),
    backupRetention,
    backupSchedule: cron("database.backupSchedule", o.backupSchedule ?? "0 0 2 * * *", "cloudnativepg").text,
    zones,
  };
}

function parseRedis(raw: unknown, d: ProdDefaults, zones: number): RedisSettings {
  const o = section("redis", raw, ["replicas", "storageClass", "size"]);
  const replicas = int("redis.replicas", o.replicas, 3, 1, 9);
  if (replicas < 3 || replicas % 2 === 0)
    throw new ConfigError(
      "redis.replicas",
      o.replicas,
      "an odd number >= 3: each pod runs a sentinel and an even count cannot hold a majority after a split",
    );
  return {
    replicas,
    storageClass: storageClass("redis.storageClass", o.storageClass, d.localClass),
    size: size("redis.size", o.size, d.redisSize),
    zones,
  };
}

/** S3 bucket names (3-63 lower-case letters, digits, dots, hyphens). */
function bucket(key: string, value: unknown, fallback: string): string {
  const v = value === undefined ? fallback : value;
  if (typeof v !== "string" || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v))
    throw new ConfigError(key, value, "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'");
  return v;
}

function parseBuckets(raw: unknown): BucketNames {
  const o = section("objectStore.buckets", raw, ["registry", "backups"]);
  const buckets = {
    registry: bucket("objectStore.buckets.registry", o.registry, "harbor-registry"),
    backups: bucket("objectStore.buckets.backups", o.backups, "harbor-db-backups"),
  };
  if (buckets.registry === buckets.backups)
    throw new ConfigError("objectStore.buckets.backups", o.backups, "a bucket other than the registry's");
  return buckets;
}

/** The erasure geometry MinIO would pick, or the reason it cannot form one. */
export interface ErasureGeometry {
  readonly totalDrives: number;
  /** Drives per erasure set: the largest of 2..16 that divides the total evenly over the nodes. */
  readonly setSize: number;
  /** MinIO's default parity (EC:N) for that set size. */
  readonly parity: number;
  readonly writeQuorum: number;
  /** Drives of one set on a single node. */
  readonly drivesPerNodeInSet: number;
  /** Whole nodes that may be lost while every set still accepts writes. */
  readonly nodeLossTolerance: number;
}

/** MinIO's default storage-class parity for a set size (EC:4 from 8 drives up). */
export function defaultParity(setSize: number): number {
  if (setSize <= 1) return 0;
  if (setSize <= 3) return 1;
  if (setSize <= 5) return 2;
  if (setSize <= 7) return 3;
  return 4;
}

export function erasureGeometry(nodes: number, drivesPerNode: number): ErasureGeometry | string {
  const total = nodes * drivesPerNode;
  if (total < 4) return `${total} drives in all; distributed MinIO needs at least 4`;
  // Sets must spread evenly over the nodes: the set size and node count divide one another.
  const setSize = [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2].find(
    (s) => total % s === 0 && (s % nodes === 0 || nodes % s === 0),
  );
  if (setSize === undefined)
    return `${nodes} x ${drivesPerNode} drives cannot be split into erasure sets of 2 to 16 drives spread evenly over the nodes`;
  const parity = defaultParity(setSize);
  const data = setSize - parity;
  const writeQuorum = parity === data ? data + 1 : data;
  const drivesPerNodeInSet = Math.max(1, setSize / nodes);
  return {
    totalDrives: total,
    setSize,
    parity,
    writeQuorum,
    drivesPerNodeInSet,
    nodeLossTolerance: Math.floor((setSize - writeQuorum) / drivesPerNodeInSet),
  };
}

function parseObjectStore(
  raw: unknown,
  all: Readonly<Record<string, unknown>>,
  d: ProdDefaults,
  zones: number,
) {
  const o = section("objectStore", raw, [
    "mode",
    "nodes",
    "drivesPerNode",
    "driveSize",
    "storageClass",
    "image",
    "buckets",
    "endpoint",
    "region",
  ]);
  const mode = oneOf("objectStore.mode", o.mode, ["minio", "external"] as const, "minio");
  const buckets = parseBuckets(o.buckets);
  const only = (keys: readonly string[], when: string) => {
    for (const k of keys)
      if (o[k] !== undefined)
        throw new ConfigError(`objectStore.${k}`, o[k], `only used when objectStore.mode is ${when}`);
  };
  if (mode === "external") {
    only(["nodes", "drivesPerNode", "driveSize", "storageClass", "image"], "minio");
    for (const k of Object.values(OBJECT_STORE_SECRET_KEYS)) {
      if (all[k] === undefined)
        throw new ConfigError(
          k,
          undefined,
          `required when objectStore.mode is external: pulumi config set --secret ${k} <value>`,
        );
    }
    const endpoint = httpsUrl("objectStore.endpoint", o.endpoint);
    return {
      mode,
      endpoint: endpoint.replace(/\/+$/, ""),
      region: optStr("objectStore.region", o.region, "us-east-1"),
      buckets,
    } satisfies ExternalObjectStore;
  }
  only(["endpoint", "region"], "external");
  for (const k of Object.values(OBJECT_STORE_SECRET_KEYS))
    if (all[k] !== undefined)
      throw new ConfigError(k, "[secret]", "only used when objectStore.mode is external");
  const nodes = int("objectStore.nodes", o.nodes, 4, 2, 32);
  const drivesPerNode = int("objectStore.drivesPerNode", o.drivesPerNode, 2, 1, 16);
  const geometry = erasureGeometry(nodes, drivesPerNode);
  if (typeof geometry === "string")
    throw new ConfigError("objectStore.nodes", nodes, `with drivesPerNode ${drivesPerNode}: ${geometry}`);
  if (geometry.nodeLossTolerance < 1)
    throw new ConfigError(
      "objectStore.nodes",
      nodes,
      `with drivesPerNode ${drivesPerNode}: erasure sets of ${geometry.setSize} (EC:${geometry.parity}) lose write quorum when one node fails; use at least 4 nodes`,
    );
  const zoneLoss = zoneLossTolerance(geometry, nodes, zones);
  if (zones > 1 && zoneLoss.zoneLosses < 1)
    throw new ConfigError(
      "objectStore.nodes",
      nodes,
      `with drivesPerNode ${drivesPerNode} over ${zones} zones: ${zoneLoss.basis}, and the ${geometry.setSize - geometry.drivesPerNodeInSet * Math.ceil(nodes / zones)} left are below write quorum ${geometry.writeQuorum}; ${zoneSafeNodes(nodes, drivesPerNode, zones)}`,
    );
  const img = section("objectStore.image", o.image, ["repository", "tag"]);
  return {
    mode,
    nodes,
    drivesPerNode,
    driveSize: size("objectStore.driveSize", o.driveSize, "500Gi"),
    storageClass: storageClass("objectStore.storageClass", o.storageClass, d.localClass),
    image: {
      repository: optStr("objectStore.image.repository", img.repository, images.minio.repository),
      tag: optStr("objectStore.image.tag", img.tag, images.minio.tag),
    },
    buckets,
    zones,
  } satisfies MinioSettings;
}

/** Both topologies: every namespace the project creates gets deny-by-default policies. */
export function parseNetworkPolicy(raw: unknown, topology: "dev" | "prod" = "dev"): NetworkPolicySettings {
  const o = section("networkPolicy", raw, ["ingressNamespace", "monitoringNamespace", "apiServerCidrs"]);
  // Prod opens the API server's egress and the webhooks' ingress to these: never to everything.
  const where =
    "the API server's endpoint addresses (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)";
  if (topology === "prod" && o.apiServerCidrs === undefined)
    throw new ConfigError("networkPolicy.apiServerCidrs", o.apiServerCidrs, `required in prod: ${where}`);
  const cidrs =
    o.apiServerCidrs === undefined ? ["0.0.0.0/0"] : list("networkPolicy.apiServerCidrs", o.apiServerCidrs);
  if (cidrs.length === 0)
    throw new ConfigError(
      "networkPolicy.apiServerCidrs",
      o.apiServerCidrs,
      "at least one CIDR like 10.0.0.1/32",
    );
  return {
    ingressNamespace: k8sName("networkPolicy.ingressNamespace", o.ingressNamespace, "traefik"),
    monitoringNamespace: k8sName("networkPolicy.monitoringNamespace", o.monitoringNamespace, "monitoring"),
    apiServerCidrs: cidrs.map((c, i) => {
      const key = `networkPolicy.apiServerCidrs[${i}]`;
      const cidr = typeof c === "string" ? parseCidr(c) : undefined;
      if (typeof c !== "string" || cidr === undefined || "error" in cidr) {
        const why = cidr && "error" in cidr && cidr.error !== NOT_A_CIDR ? ` (${cidr.error})` : "";
        throw new ConfigError(key, c, `a CIDR like 10.0.0.1/32${why}`);
      }
      if (topology === "prod" && cidr.prefix === 0)
        throw new ConfigError(key, c, `in prod ${where}, not every address`);
      return c;
    }),
  };
}

/**
 * `zones`: the zones the cluster's nodes span. From 3 on, the database, Redis and MinIO spread
 * over them hard (and the scheduler refuses to place them in fewer); 2 cannot work, because one
 * of two zones always holds a majority of the sentinels.
 */
function parseZones(raw: unknown): number {
  const zones = int("zones", raw, 1, 1, 16);
  if (zones === 2)
    throw new ConfigError(
      "zones",
      raw,
      "1 (no zone spread) or at least 3: with 2 zones one of them holds a majority of the sentinels and loses failover with it",
    );
  return zones;
}

/**
 * How many whole zones a MinIO pool may lose and keep write quorum, when its nodes are spread
 * hard over `zones` zones (at most ceil(nodes / zones) in one): a set loses its drives on every
 * node of the lost zones that holds some of them.
 */
export function zoneLossTolerance(
  g: ErasureGeometry,
  nodes: number,
  zones: number,
): { zoneLosses: number; basis: string } {
  if (zones < 2) return { zoneLosses: 0, basis: "not spread over zones" };
  const perZone = Math.ceil(nodes / zones);
  const nodesPerSet = Math.min(nodes, g.setSize / g.drivesPerNodeInSet);
  const lostDrives = (k: number) => Math.min(nodesPerSet, k * perZone) * g.drivesPerNodeInSet;
  let zoneLosses = 0;
  while (zoneLosses < zones - 1 && g.setSize - lostDrives(zoneLosses + 1) >= g.writeQuorum) zoneLosses++;
  return {
    zoneLosses,
    basis: `a zone holds up to ${perZone} node${perZone === 1 ? "" : "s"}, ${lostDrives(1)} of a set's ${g.setSize} drives`,
  };
}

/** The next node count (with these drives) that keeps write quorum through a zone loss. */
function zoneSafeNodes(nodes: number, drivesPerNode: number, zones: number): string {
  for (let n = nodes + 1; n <= 32; n++) {
    const g = erasureGeometry(n, drivesPerNode);
    if (typeof g !== "string" && g.nodeLossTolerance >= 1 && zoneLossTolerance(g, n, zones).zoneLosses >= 1)
      return `use ${n} nodes`;
  }
  return "use more drives per node";
}

/** The prod topology's data tier; `raw` is the whole stack config (for the secret keys). */
export function parseProd(raw: Readonly<Record<string, unknown>>, defaults: ProdDefaults): ProdSettings {
  const zones = parseZones(raw.zones);
  return {
    certManager: parseCertManager(raw.certManager),
    database: parseDatabase(raw.database, defaults, zones),
    redis: parseRedis(raw.redis, defaults, zones),
    objectStore: parseObjectStore(raw.objectStore, raw, defaults, zones),
  };
}
