// The prod topology's data tier (cert-manager's issuer, CloudNativePG, Redis Sentinel, the
// object store) and the NetworkPolicy settings, shaped from the schema's typed values
// (config/schema/prod.ts reads and checks each value). Here are the rules that involve more
// than one value: MinIO's erasure geometry and zone tolerance, fields of the other object-store
// mode, the external store's secrets, defaults that follow other keys, prod's API server
// addresses, and the namespaces the program creates.
import type { z } from "zod";
import { parseCidr } from "../policy/concepts/network";
import { images } from "../versions";
import type { Topology } from "./schema/define";
import { DEV_API_SERVER_CIDRS, EXTERNAL_DEFAULTS, MINIO_DEFAULTS, type ProdKeys } from "./schema/prod";
import { ConfigError } from "./validate";

/** A prod key's parsed value (the schema's output, its plain defaults applied). */
type Value<K extends keyof ProdKeys> = z.output<ProdKeys[K]["schema"]>;

export type CertManagerSettings = Value<"certManager">;

/** How many zones the data tier spreads over (`topology.kubernetes.io/zone`); 1: no zone spread. */
export interface ZoneSpread {
  readonly zones: number;
}

/** `database` with the defaults that follow other keys resolved. */
export type DatabaseSettings = Readonly<Required<Omit<Value<"database">, "backupSchedule">>> &
  ZoneSpread & {
    /** Six-field cron (seconds first), as CloudNativePG's ScheduledBackup expects. */
    readonly backupSchedule: string;
  };

/** `redis` with its volumes' class and size resolved. */
export type RedisSettings = Readonly<Required<Value<"redis">>> & ZoneSpread;

type ObjectStoreValue = Value<"objectStore">;
export type BucketNames = Readonly<ObjectStoreValue["buckets"]>;

const MINIO_FIELDS = ["nodes", "drivesPerNode", "driveSize", "storageClass", "image"] as const;
const EXTERNAL_FIELDS = ["endpoint", "region"] as const;

export type MinioSettings = Readonly<
  Required<Pick<ObjectStoreValue, (typeof MINIO_FIELDS)[number] | "buckets">>
> &
  ZoneSpread & { readonly mode: "minio" };

/**
 * Whether MinIO runs the pinned image (pulled like every image, from the mirror when there is
 * one) rather than an `objectStore.image` replacement, which is used as given.
 */
export function pinnedMinioImage(s: Pick<MinioSettings, "image">): boolean {
  return s.image.repository === images.minio.repository && s.image.tag === images.minio.tag;
}

/** Any S3 implementation, at an https:// endpoint (no trailing slash). */
export type ExternalObjectStore = Readonly<
  Required<Pick<ObjectStoreValue, (typeof EXTERNAL_FIELDS)[number] | "buckets">>
> & { readonly mode: "external" };

export type ObjectStoreSettings = MinioSettings | ExternalObjectStore;

/** `networkPolicy` with the API server's addresses resolved. */
export type NetworkPolicySettings = Readonly<Required<Value<"networkPolicy">>>;

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
} as const satisfies Record<string, keyof ProdKeys>;
type ObjectStoreSecretKey = (typeof OBJECT_STORE_SECRET_KEYS)[keyof typeof OBJECT_STORE_SECRET_KEYS];

/** The typed values of the prod keys, as config/schema/parse.ts returns them. */
export interface ProdValues {
  readonly certManager: Value<"certManager">;
  readonly database: Value<"database">;
  readonly redis: Value<"redis">;
  readonly objectStore: ObjectStoreValue;
  readonly zones: number;
  /** The external store's secrets the stack sets (their values are not read here). */
  readonly secretsSet: ReadonlySet<string>;
}

/** Core keys the data tier's defaults follow. */
export interface ProdDefaults {
  readonly localClass: string;
  readonly databaseSize: string;
  readonly redisSize: string;
}

function certManagerSettings(c: CertManagerSettings): CertManagerSettings {
  if (c.issuer === "ca" && c.acme !== undefined)
    throw new ConfigError("certManager.acme", c.acme, "only used when certManager.issuer is acme");
  if (c.issuer === "acme" && c.acme === undefined)
    throw new ConfigError("certManager.acme", undefined, "required when certManager.issuer is acme: {email}");
  return c;
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

/** The value in min..max nearest to `from` (the smaller on a tie) for which `holds` is true. */
function nearest(from: number, min: number, max: number, holds: (v: number) => boolean): number | undefined {
  for (let k = 1; from - k >= min || from + k <= max; k++)
    for (const v of [from - k, from + k]) if (v >= min && v <= max && holds(v)) return v;
  return undefined;
}

/**
 * The nearest layouts that keep write quorum through a node loss: other drives on these nodes,
 * or other nodes with these drives (the schema's ranges: 2-32 nodes, 1-16 drives per node).
 */
function nodeSafeLayout(nodes: number, drivesPerNode: number): string {
  const holds = (n: number, d: number) => {
    const g = erasureGeometry(n, d);
    return typeof g !== "string" && g.nodeLossTolerance >= 1;
  };
  const drives = nearest(drivesPerNode, 1, 16, (d) => holds(nodes, d));
  const moreOrFewer = nearest(nodes, 2, 32, (n) => holds(n, drivesPerNode));
  const options = [
    ...(drives === undefined ? [] : [`drivesPerNode ${drives}`]),
    ...(moreOrFewer === undefined ? [] : [`${moreOrFewer} nodes`]),
  ];
  return options.length > 0 ? `use ${options.join(" or ")}` : "use more nodes";
}

/**
 * MinIO refuses a bucket name with a '.' next to a '-' in every request (minio-go v7
 * pkg/s3utils checkBucketNameCommon, which CheckValidBucketNameStrict applies), though S3's
 * own rules allow it.
 */
function minioBucketProblem(name: string): string | undefined {
  return /\.-|-\./.test(name) ? "a bucket name MinIO accepts: no '.' next to '-'" : undefined;
}

function objectStoreSettings(
  o: ObjectStoreValue,
  secretsSet: ReadonlySet<string>,
  d: ProdDefaults,
  zones: number,
): ObjectStoreSettings {
  const buckets = o.buckets;
  if (buckets.registry === buckets.backups)
    throw new ConfigError(
      "objectStore.buckets.backups",
      buckets.backups,
      "a bucket other than the registry's",
    );
  const only = (fields: readonly (keyof ObjectStoreValue)[], mode: string) => {
    for (const f of fields)
      if (o[f] !== undefined)
        throw new ConfigError(`objectStore.${f}`, o[f], `only used when objectStore.mode is ${mode}`);
  };
  const secretKeys: readonly ObjectStoreSecretKey[] = Object.values(OBJECT_STORE_SECRET_KEYS);
  if (o.mode === "external") {
    only(MINIO_FIELDS, "minio");
    for (const k of secretKeys)
      if (!secretsSet.has(k))
        throw new ConfigError(
          k,
          undefined,
          `required when objectStore.mode is external: pulumi config set --secret ${k} <value>`,
        );
    if (o.endpoint === undefined)
      throw new ConfigError(
        "objectStore.endpoint",
        undefined,
        "required when objectStore.mode is external: an https:// URL",
      );
    return {
      mode: "external",
      endpoint: o.endpoint.replace(/\/+$/, ""),
      region: o.region ?? EXTERNAL_DEFAULTS.region,
      buckets,
    };
  }
  only(EXTERNAL_FIELDS, "external");
  for (const k of secretKeys)
    if (secretsSet.has(k))
      // Shown as "(secret)": only that it is set.
      throw new ConfigError(k, true, "only used when objectStore.mode is external", { secret: true });
  for (const [which, name] of Object.entries(buckets)) {
    const problem = minioBucketProblem(name);
    if (problem !== undefined) throw new ConfigError(`objectStore.buckets.${which}`, name, problem);
  }
  const nodes = o.nodes ?? MINIO_DEFAULTS.nodes;
  const drivesPerNode = o.drivesPerNode ?? MINIO_DEFAULTS.drivesPerNode;
  const geometry = erasureGeometry(nodes, drivesPerNode);
  if (typeof geometry === "string")
    throw new ConfigError("objectStore.nodes", nodes, `with drivesPerNode ${drivesPerNode}: ${geometry}`);
  if (geometry.nodeLossTolerance < 1)
    throw new ConfigError(
      "objectStore.nodes",
      nodes,
      `with drivesPerNode ${drivesPerNode}: erasure sets of ${geometry.setSize} (EC:${geometry.parity}) lose write quorum when one node fails; ${nodeSafeLayout(nodes, drivesPerNode)}`,
    );
  const zoneLoss = zoneLossTolerance(geometry, nodes, zones);
  if (zones > 1 && zoneLoss.zoneLosses < 1)
    throw new ConfigError(
      "objectStore.nodes",
      nodes,
      `with drivesPerNode ${drivesPerNode} over ${zones} zones: ${zoneLoss.basis}, and the ${geometry.setSize - geometry.drivesPerNodeInSet * Math.ceil(nodes / zones)} left are below write quorum ${geometry.writeQuorum}; ${zoneSafeNodes(nodes, drivesPerNode, zones)}`,
    );
  return {
    mode: "minio",
    nodes,
    drivesPerNode,
    driveSize: o.driveSize ?? MINIO_DEFAULTS.driveSize,
    storageClass: o.storageClass ?? d.localClass,
    image: o.image ?? { repository: images.minio.repository, tag: images.minio.tag },
    buckets,
    zones,
  };
}

/** The prod topology's data tier, from the prod keys' typed values. */
export function prodSettings(v: ProdValues, d: ProdDefaults): ProdSettings {
  const db = v.database;
  return {
    certManager: certManagerSettings(v.certManager),
    database: {
      instances: db.instances,
      storageClass: db.storageClass ?? d.localClass,
      size: db.size ?? d.databaseSize,
      backupRetention: db.backupRetention,
      backupSchedule: db.backupSchedule.text,
      zones: v.zones,
    },
    redis: {
      replicas: v.redis.replicas,
      storageClass: v.redis.storageClass ?? d.localClass,
      size: v.redis.size ?? d.redisSize,
      zones: v.zones,
    },
    objectStore: objectStoreSettings(v.objectStore, v.secretsSet, d, v.zones),
  };
}

const API_SERVER_ADDRESSES =
  "the API server's endpoint addresses (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)";

/**
 * Both topologies: every namespace the project creates gets deny-by-default policies. Prod opens
 * the API server's egress and the webhooks' ingress to `apiServerCidrs`: never to everything.
 */
export function networkPolicySettings(n: Value<"networkPolicy">, topology: Topology): NetworkPolicySettings {
  const cidrs = n.apiServerCidrs;
  if (cidrs === undefined) {
    if (topology === "prod")
      throw new ConfigError(
        "networkPolicy.apiServerCidrs",
        undefined,
        `required in prod: ${API_SERVER_ADDRESSES}`,
      );
    return { ...n, apiServerCidrs: [...DEV_API_SERVER_CIDRS] };
  }
  if (topology === "prod")
    cidrs.forEach((c, i) => {
      const parsed = parseCidr(c);
      if (!("error" in parsed) && parsed.prefix === 0)
        throw new ConfigError(
          `networkPolicy.apiServerCidrs[${i}]`,
          c,
          `in prod ${API_SERVER_ADDRESSES}, not every address`,
        );
    });
  return { ...n, apiServerCidrs: cidrs };
}

/**
 * The namespaces the program creates in prod besides Harbor's, each holding one operator or
 * service (components/platform names them from here).
 */
export const PROD_NAMESPACES = {
  certManager: "cert-manager",
  cnpg: "cnpg-system",
  database: "harbor-db",
  redis: "harbor-redis",
  minio: "minio",
  drill: "harbor-dr-drill",
  velero: "velero",
} as const;

export interface CreatedNamespace {
  readonly name: string;
  /** What runs there. */
  readonly holds: string;
  /** The config key that names it, when one does. */
  readonly key?: string;
}

/** What decides which namespaces the program creates (a PlatformConfig has it all). */
export interface NamespaceChoices {
  readonly topology: Topology;
  /** Harbor's namespace. */
  readonly namespace: string;
  readonly prod?: { readonly objectStore: { readonly mode: ObjectStoreSettings["mode"] } };
  /** Fluent Bit's namespace, when logs are shipped. */
  readonly observability: { readonly logging?: { readonly namespace: string } };
  /** DR brings Velero and, with MinIO, the restore drill. */
  readonly dr?: object;
  /** Operators the cluster already runs: the program creates no namespace for them. */
  readonly existingOperators?: {
    readonly certManager?: object;
    readonly cloudnativePg?: object;
    readonly velero?: object;
  };
}

/** Every namespace the program creates for this config (each with a quota and deny-by-default policies). */
export function createdNamespaces(c: NamespaceChoices): CreatedNamespace[] {
  const ns = PROD_NAMESPACES;
  const minio = c.prod?.objectStore.mode === "minio";
  const dr = c.dr !== undefined;
  const logging = c.observability.logging?.namespace;
  const existing = c.existingOperators ?? {};
  return [
    { name: c.namespace, holds: "Harbor", key: "namespace" },
    ...(c.topology === "prod"
      ? [
          ...(existing.certManager ? [] : [{ name: ns.certManager, holds: "cert-manager" }]),
          ...(existing.cloudnativePg ? [] : [{ name: ns.cnpg, holds: "the CloudNativePG operator" }]),
          { name: ns.database, holds: "Harbor's database" },
          { name: ns.redis, holds: "Redis" },
          ...(minio ? [{ name: ns.minio, holds: "MinIO" }] : []),
          ...(dr && !existing.velero ? [{ name: ns.velero, holds: "Velero" }] : []),
          ...(dr && minio ? [{ name: ns.drill, holds: "the restore drill" }] : []),
        ]
      : []),
    ...(logging !== undefined ? [{ name: logging, holds: "Fluent Bit", key: "logging.namespace" }] : []),
  ];
}

/**
 * Refuses namespaces that would collide: two the program creates (each gets its own quota and
 * deny-by-default NetworkPolicies, and the second could not be created), or a namespace the
 * NetworkPolicies admit traffic from that the program itself creates, whose policies would cut
 * off the ingress controller or Prometheus running there.
 */
export function checkNamespaces(created: readonly CreatedNamespace[], net: NetworkPolicySettings): void {
  created.forEach((a, i) => {
    const b = created.slice(0, i).find((earlier) => earlier.name === a.name);
    if (b === undefined) return;
    const [named, other] = a.key !== undefined ? [a, b] : [b, a];
    throw new ConfigError(
      named.key ?? "namespace",
      named.name,
      `a namespace of ${named.holds}'s own: the program creates ${other.name} for ${other.holds}, with its own quota and deny-by-default NetworkPolicies`,
    );
  });
  const peers = [
    [
      "ingressNamespace",
      net.ingressNamespace,
      "the ingress controller's pods run in",
      "its clients and Harbor",
    ],
    ["monitoringNamespace", net.monitoringNamespace, "Prometheus runs in", "its scrape targets"],
  ] as const;
  for (const [field, name, what, from] of peers) {
    const taken = created.find((c) => c.name === name);
    if (taken)
      throw new ConfigError(
        `networkPolicy.${field}`,
        name,
        `the namespace ${what}, not one the program creates: it creates ${name} for ${taken.holds}, and its deny-by-default NetworkPolicies would cut it off from ${from}`,
      );
  }
}
