// The prod data tier's keys (cert-manager's issuer, CloudNativePG, Redis Sentinel, the object
// store, zones) and the NetworkPolicy settings both topologies read. Rules that involve more
// than one value (erasure geometry, zone tolerance, mode-specific fields, the external store's
// secrets, prod's API server addresses, namespace collisions) are in config/prod.ts, on the
// typed values.
import { barmanRetention } from "../../policy/concepts/duration";
import { images } from "../../versions";
import {
  cidr,
  cron,
  httpsUrl,
  integer,
  k8sName,
  k8sSubdomain,
  key,
  leaf,
  listOf,
  oneOf,
  pattern,
  s3BucketName,
  section,
  size,
  text,
} from "./define";

const PROD = "Prod data tier";

export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

/** The barman-cloud ObjectStore's retentionPolicy (policy/concepts/duration.ts). */
const retention = () =>
  leaf<string>(
    { type: "retention", allowed: "a positive count of days, weeks or months like 30d, 4w or 3m" },
    (v) => (typeof v === "string" && barmanRetention(v) !== undefined ? v : undefined),
  );

const LOCAL_CLASS = "as `localStorageClass`";
const MINIO_ONLY = "minio mode only";
const EXTERNAL_ONLY = "external mode only";
const literal = (v: string | number) => `\`${v}\``;

/** What each object-store mode brings for the fields it alone reads (the other mode refuses them). */
export const MINIO_DEFAULTS = { nodes: 4, drivesPerNode: 2, driveSize: "500Gi" } as const;
export const EXTERNAL_DEFAULTS = { region: "us-east-1" } as const;
/** dev's NetworkPolicies reach the API server anywhere unless told its addresses; prod must be told. */
export const DEV_API_SERVER_CIDRS = ["0.0.0.0/0"] as const;

const REDIS_REPLICAS_ALLOWED =
  "an odd number from 3 to 9: each pod runs a sentinel and an even count cannot hold a majority after a split";
const ZONES_ALLOWED =
  "1 (no zone spread) or 3 to 16: with 2 zones one of them holds a majority of the sentinels and loses failover with it";

export const PROD_KEYS = {
  certManager: key({
    schema: section({
      issuer: oneOf(["ca", "acme"] as const)
        .default("ca")
        .meta({
          doc: "Issuer of Harbor's public certificate: ca, the project's root CA, or acme; internal certificates always come from the CA",
        }),
      acme: section({
        email: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address like ops@example.com", "e-mail").meta(
          { doc: "E-mail of the ACME account" },
        ),
        server: httpsUrl().default(LETS_ENCRYPT).meta({ doc: "Directory URL of the ACME server" }),
        solverIngressClass: k8sName()
          .default("traefik")
          .meta({ doc: "IngressClass of the HTTP-01 solver's Ingress" }),
      })
        .optional()
        .meta({ doc: "The ACME account; required when issuer is acme, refused otherwise" }),
    }),
    doc: "Issuer of Harbor's public certificate (cert-manager); internal certificates always come from the project's CA.",
    group: PROD,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  database: key({
    schema: section({
      instances: integer(
        3,
        9,
        "an integer from 3 to 9: a primary and two standbys keep a quorum after a node loss",
      )
        .default(3)
        .meta({ doc: "PostgreSQL instances, each on its own node" }),
      storageClass: k8sSubdomain()
        .optional()
        .meta({ doc: "StorageClass of the instances' volumes", defaultText: LOCAL_CLASS }),
      size: size()
        .optional()
        .meta({ doc: "Size of each instance's volume", defaultText: "as `databaseStorageSize`" }),
      backupRetention: retention().default("30d").meta({ doc: "How long base backups and WAL are kept" }),
      backupSchedule: cron("cloudnativepg")
        .prefault("0 0 2 * * *")
        .meta({ doc: "When base backups run, in UTC" }),
    }),
    doc: "CloudNativePG cluster of Harbor's database: instances, volumes, backups to the object store.",
    group: PROD,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  redis: key({
    schema: section({
      replicas: integer(3, 9, REDIS_REPLICAS_ALLOWED)
        .refine((n) => n % 2 === 1, { message: REDIS_REPLICAS_ALLOWED })
        .default(3)
        .meta({ doc: "Pods of redis-ha, each a Redis data node and a sentinel" }),
      storageClass: k8sSubdomain()
        .optional()
        .meta({ doc: "StorageClass of the data nodes' volumes", defaultText: LOCAL_CLASS }),
      size: size()
        .optional()
        .meta({ doc: "Size of each data node's volume", defaultText: "as `redisStorageSize`" }),
    }),
    doc: "Redis with Sentinel (redis-ha) for Harbor's cache and job queue.",
    group: PROD,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  objectStore: key({
    schema: section({
      mode: oneOf(["minio", "external"] as const)
        .default("minio")
        .meta({ doc: "minio: distributed MinIO in the cluster; external: any S3 endpoint" }),
      nodes: integer(2, 32)
        .optional()
        .meta({
          doc: `MinIO nodes, one per Kubernetes node; ${MINIO_ONLY}`,
          defaultText: literal(MINIO_DEFAULTS.nodes),
        }),
      drivesPerNode: integer(1, 16)
        .optional()
        .meta({
          doc: `Drives (volumes) per MinIO node; ${MINIO_ONLY}`,
          defaultText: literal(MINIO_DEFAULTS.drivesPerNode),
        }),
      driveSize: size()
        .optional()
        .meta({ doc: `Size of each drive; ${MINIO_ONLY}`, defaultText: literal(MINIO_DEFAULTS.driveSize) }),
      storageClass: k8sSubdomain()
        .optional()
        .meta({ doc: `StorageClass of the drives; ${MINIO_ONLY}`, defaultText: LOCAL_CLASS }),
      image: section({
        repository: text().default(images.minio.repository).meta({ doc: "Repository of MinIO's image" }),
        tag: text().default(images.minio.tag).meta({ doc: "Tag of MinIO's image" }),
      })
        .optional()
        .meta({
          doc: `MinIO's image, to replace the community edition's last release; ${MINIO_ONLY}`,
          defaultText: literal(`${images.minio.repository}:${images.minio.tag}`),
        }),
      buckets: section({
        registry: s3BucketName().default("harbor-registry").meta({ doc: "Bucket of Harbor's registry" }),
        backups: s3BucketName()
          .default("harbor-db-backups")
          .meta({ doc: "Bucket of the database's base backups and WAL archive" }),
      })
        .prefault({})
        .meta({
          doc: "Names of the two buckets, by S3's general purpose bucket naming rules (no IP address form, no reserved prefix or suffix such as xn-- or -s3alias); with MinIO also no '.' next to '-'",
          defaultText: "per field",
        }),
      endpoint: httpsUrl()
        .optional()
        .meta({ doc: "The S3 service's https:// endpoint; required in external mode, refused with MinIO" }),
      region: text()
        .optional()
        .meta({
          doc: `Region the S3 service expects; ${EXTERNAL_ONLY}`,
          defaultText: literal(EXTERNAL_DEFAULTS.region),
        }),
    }),
    doc: "S3 object store of Harbor's images and the database backups: MinIO in the cluster, or any S3 (objectStoreAccessKey and objectStoreSecretKey).",
    group: PROD,
    topologies: ["prod"],
    defaults: { prod: {} },
  }),
  zones: key({
    schema: integer(1, 16, ZONES_ALLOWED).refine((n) => n !== 2, { message: ZONES_ALLOWED }),
    doc: "Zones (topology.kubernetes.io/zone) the data tier spreads over strictly; 1: no zone spread.",
    group: PROD,
    topologies: ["prod"],
    defaults: { prod: 1 },
  }),
  objectStoreAccessKey: key({
    schema: text("a non-empty secret"),
    doc: "Access key of the external object store (objectStore.mode external).",
    group: PROD,
    topologies: ["prod"],
    secret: true,
  }),
  objectStoreSecretKey: key({
    schema: text("a non-empty secret"),
    doc: "Secret key of the external object store (objectStore.mode external).",
    group: PROD,
    topologies: ["prod"],
    secret: true,
  }),
  networkPolicy: key({
    schema: section({
      ingressNamespace: k8sName().default("traefik").meta({
        doc: "Namespace of the ingress controller's or Gateway's pods that forward to Harbor; not one the program creates",
      }),
      monitoringNamespace: k8sName()
        .default("monitoring")
        .meta({ doc: "Namespace of the Prometheus that scrapes metrics; not one the program creates" }),
      apiServerCidrs: listOf(cidr("a CIDR like 10.0.0.1/32 or fd00::1/128"), 1)
        .optional()
        .meta({
          doc: "The Kubernetes API server's addresses as IPv4 or IPv6 networks, from kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes; never a /0 in prod",
          defaultText: { dev: literal(DEV_API_SERVER_CIDRS.join(", ")), prod: "required" },
        }),
    }),
    doc: "Which namespaces may reach Harbor and scrape metrics, and where the API server answers, for the deny-by-default NetworkPolicies.",
    group: "Core",
    defaults: { dev: {}, prod: {} },
  }),
} as const;

export type ProdKeys = typeof PROD_KEYS;
