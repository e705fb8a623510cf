// The prod data tier, composed: cert-manager and its CA issuer, CloudNativePG with backups to
// the object store, Redis Sentinel, MinIO (or an external S3), NetworkPolicies everywhere,
// and the Harbor values that wire them together.
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as kube from "@pulumi/kubernetes";
import { PROD_NAMESPACES, publicCertByProjectCa, type PlatformConfig, type ProdSettings } from "../../config";
import { CertManager } from "../cert-manager";
import {
  BACKUP_KEYS,
  CloudNativePg,
  HARBOR_DB_POOL,
  HarborDatabase,
  cnpgPreUpgradeBackup,
  databaseMaxConnections,
} from "../database";
import type { HarborUpgradeGate, HarborValuesInput } from "../harbor";
import { caBundleSecret, customResource, opaqueSecret } from "../k8s";
import type { PlatformNamespace, PodSecurityLevel } from "../namespace";
import { namespacePolicies } from "../network-policy";
import {
  Minio,
  ROOT_CREDENTIALS,
  TRUSTED_CA_SECRET,
  USER_KEYS,
  externalObjectStore,
  type ObjectStoreEndpoint,
} from "../object-store";
import { RedisSentinel } from "../redis";
import type { RootCa } from "../tls";
import { buildDr, type DrParts } from "./dr";
import { BLOB_DRILL, DB_DRILL, RestoreDrill } from "../dr/drill";
import { HARBOR_SCHEMA_VERSION } from "../../versions";
import { prodFlows, type ProdNamespaces } from "./flows";
import type { ProdEndpoints } from "./index";
import { readsFor, type Preflight } from "./preflight";
import type { Sources } from "../mirror";

export const CA_BUNDLE_SECRET = "harbor-platform-ca";
export const INTERNAL_TLS_COMPONENTS = ["core", "jobservice", "registry", "portal", "trivy"] as const;
export const CLUSTER_NAME = "harbor-pg";
export const DATABASE_NAMESPACE = PROD_NAMESPACES.database;
export const MINIO_NAMESPACE = PROD_NAMESPACES.minio;
export const DRILL_NAMESPACE = PROD_NAMESPACES.drill;
/** Longest a restore drill may run: the recovery of a large archive takes hours. */
const DRILL_DEADLINE_SECONDS = 4 * 3600;

export interface ProdTierArgs {
  readonly name: string;
  readonly parent: pulumi.Resource;
  readonly config: PlatformConfig;
  readonly prod: ProdSettings;
  readonly ca: RootCa;
  readonly harborNamespace: PlatformNamespace;
  readonly namespaceFor: (resource: string, ns: string, podSecurity: PodSecurityLevel) => PlatformNamespace;
  readonly provider?: k8s.Provider;
  readonly objectStoreCredentials?: {
    readonly accessKey: pulumi.Output<string>;
    readonly secretKey: pulumi.Output<string>;
  };
  /** A restore without its Pulumi state: the password the restored database's owner has. */
  readonly restoredOwnerPassword?: pulumi.Input<string>;
  /** The checks of the operators `existingOperators` names (absent: none named). */
  readonly preflight?: Preflight;
  /** The upgrade gate: the pre-upgrade backup waits for it (components/harbor/upgrade.ts). */
  readonly upgradeGate: HarborUpgradeGate;
  /** Where the charts and images come from. */
  readonly sources: Sources;
}

export interface ProdTier {
  readonly values: Omit<
    HarborValuesInput,
    "secrets" | "topology" | "hostname" | "exposure" | "storage" | "harbor"
  >;
  readonly serverTls: { readonly secretName: string };
  readonly dependsOn: pulumi.Resource[];
  readonly endpoints: ProdEndpoints;
}

/** DNS names of a Harbor component's Service (the chart names them harbor-<component>). */
export function internalDnsNames(component: string, namespace: string): string[] {
  const svc = `harbor-${component}`;
  return [
    svc,
    `${svc}.${namespace}`,
    `${svc}.${namespace}.svc`,
    `${svc}.${namespace}.svc.cluster.local`,
    ...(component === "core" ? ["localhost"] : []),
  ];
}

/** Services the Harbor Ingress routes to: `/api/`, `/c/`, `/v2/`, `/service/` to core, `/` to portal. */
const INGRESS_BACKENDS = ["core", "portal"] as const;

/**
 * Traefik verifies a backend with a ServersTransport: the project CA from `harbor-platform-ca`
 * (key ca.crt) and the name in the component's certificate (Traefik dials pod IPs). The
 * Service annotation points at it; `rootCAsSecrets` is the form Traefik v2 and v3 both read.
 */
export function traefikBackendTrust(
  name: string,
  namespace: string,
  opts: pulumi.CustomResourceOptions,
): { serviceAnnotations: Record<(typeof INGRESS_BACKENDS)[number], Record<string, string>> } {
  const serviceAnnotations = {} as Record<(typeof INGRESS_BACKENDS)[number], Record<string, string>>;
  for (const c of INGRESS_BACKENDS) {
    const transport = `harbor-${c}-backend`;
    customResource(
      `${name}-harbor-${c}-servers-transport`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "ServersTransport",
        name: transport,
        namespace,
        spec: { serverName: `harbor-${c}`, rootCAsSecrets: [CA_BUNDLE_SECRET] },
      },
      opts,
    );
    serviceAnnotations[c] = {
      "traefik.ingress.kubernetes.io/service.serverstransport": `${namespace}-${transport}@kubernetescrd`,
    };
  }
  return { serviceAnnotations };
}

/**
 * ingress-nginx takes one proxy-ssl-name per Ingress and Harbor's routes both core and portal:
 * both internal certificates carry this name too, and nginx verifies it.
 */
export const INGRESS_BACKEND_NAME = "harbor-ingress-backend";

/**
 * ingress-nginx verifies the backends (the chart already sets backend-protocol HTTPS with
 * internal TLS): the CA from a Secret holding only ca.crt in the Ingress's namespace
 * (proxy-ssl-secret, ingress-nginx controller-v1.15.1 annotations/proxyssl), verify on, and the
 * shared name with SNI.
 */
export function nginxBackendTrust(namespace: string): { ingressAnnotations: Record<string, string> } {
  return {
    ingressAnnotations: {
      "nginx.ingress.kubernetes.io/proxy-ssl-secret": `${namespace}/${CA_BUNDLE_SECRET}`,
      "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
      "nginx.ingress.kubernetes.io/proxy-ssl-name": INGRESS_BACKEND_NAME,
      "nginx.ingress.kubernetes.io/proxy-ssl-server-name": "on",
    },
  };
}

/**
 * A Gateway verifies the HTTPRoute's backends with a BackendTLSPolicy per Service (Gateway API
 * v1): the project CA from a ConfigMap (the kind every implementation must support) and the
 * Service's name, which its internal certificate carries.
 */
export function gatewayBackendTrust(
  name: string,
  namespace: string,
  caPem: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): void {
  const caConfigMap = new kube.core.v1.ConfigMap(
    `${name}-harbor-backend-ca`,
    { metadata: { name: CA_BUNDLE_SECRET, namespace }, data: { "ca.crt": caPem } },
    opts,
  );
  for (const c of INGRESS_BACKENDS)
    customResource(
      `${name}-harbor-${c}-backend-tls`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "BackendTLSPolicy",
        name: `harbor-${c}-backend`,
        namespace,
        spec: {
          targetRefs: [{ group: "", kind: "Service", name: `harbor-${c}` }],
          validation: {
            caCertificateRefs: [{ group: "", kind: "ConfigMap", name: CA_BUNDLE_SECRET }],
            hostname: `harbor-${c}`,
          },
        },
      },
      { ...opts, dependsOn: [caConfigMap] },
    );
}

export function buildProdTier(a: ProdTierArgs): ProdTier {
  const { name, prod: p, provider, sources } = a;
  const siteCidrs = a.config.mirror?.siteCidrs;
  // prod runs with prometheus-operator: every chart turns on its own monitors.
  const monitoringLabels = a.config.observability.alerting.selectorLabels;
  const opts = { parent: a.parent };
  const harborNs = a.harborNamespace.name;
  const minioMode = p.objectStore.mode === "minio";
  const existing = a.config.existingOperators;
  const names: ProdNamespaces = {
    harbor: harborNs,
    certManager: existing.certManager?.namespace ?? PROD_NAMESPACES.certManager,
    cnpg: existing.cloudnativePg?.namespace ?? PROD_NAMESPACES.cnpg,
    database: DATABASE_NAMESPACE,
    redis: PROD_NAMESPACES.redis,
    ...(minioMode ? { minio: MINIO_NAMESPACE } : {}),
  };
  const ns = {
    harbor: a.harborNamespace,
    // Operators the cluster already runs keep their own namespaces (and NetworkPolicies).
    ...(existing.certManager
      ? {}
      : { certManager: a.namespaceFor("cert-manager", names.certManager, "restricted") }),
    ...(existing.cloudnativePg ? {} : { cnpg: a.namespaceFor("cnpg", names.cnpg, "restricted") }),
    database: a.namespaceFor("database", names.database, "restricted"),
    // redis-ha's and MinIO's pods set no seccomp profile: baseline, not restricted.
    redis: a.namespaceFor("redis", names.redis, "baseline"),
    ...(names.minio ? { minio: a.namespaceFor("minio", names.minio, "baseline") } : {}),
  };

  const certManager = new CertManager(
    `${name}-cert-manager`,
    {
      ...(existing.certManager
        ? {
            existing: {
              ...existing.certManager,
              ready: readsFor(a.preflight, "certManager", "certManager.clusterIssuer"),
            },
          }
        : { namespace: ns.certManager }),
      rootCa: a.ca,
      settings: p.certManager,
      certValidityDays: a.config.tls.certValidityDays,
      provider,
      monitoringLabels,
      sources,
      ...(a.config.proxy ? { proxy: a.config.proxy } : {}),
    },
    opts,
  );

  // Object store: MinIO in its own namespace, or any S3 endpoint.
  let store: ObjectStoreEndpoint;
  let minio: Minio | undefined;
  if (p.objectStore.mode === "minio" && ns.minio) {
    minio = new Minio(
      `${name}-minio`,
      {
        namespace: ns.minio,
        settings: p.objectStore,
        certManager,
        caPem: a.ca.certPem,
        protect: a.config.protectData,
        provider,
        monitoringLabels,
        sources,
      },
      opts,
    );
    store = minio;
  } else if (p.objectStore.mode === "external" && a.objectStoreCredentials) {
    store = externalObjectStore({ ...p.objectStore, ...a.objectStoreCredentials });
  } else {
    throw new Error("objectStore.mode external needs objectStoreCredentials");
  }

  // The project CA, wherever a client verifies a server it signed (DB verify-full, MinIO).
  const k8sOpts = (n: PlatformNamespace) => ({ parent: a.parent, provider, dependsOn: [n.namespace] });
  const harborCa = caBundleSecret(
    `${name}-harbor-ca-bundle`,
    { name: CA_BUNDLE_SECRET, namespace: harborNs, caPem: a.ca.certPem },
    k8sOpts(ns.harbor),
  );
  const dbCa = caBundleSecret(
    `${name}-db-ca-bundle`,
    { name: CA_BUNDLE_SECRET, namespace: names.database, caPem: a.ca.certPem },
    k8sOpts(ns.database),
  );

  // DR: the AWS copy, the mirror of MinIO's buckets (refilled first in restore mode), Velero.
  const dr = a.config.dr;
  let drParts: DrParts | undefined;
  if (dr) {
    drParts = buildDr({
      name,
      parent: a.parent,
      dr,
      monitoringLabels,
      protect: a.config.protectData,
      net: a.config.networkPolicy,
      egress: a.config.egress,
      ...(a.config.proxy ? { proxy: a.config.proxy } : {}),
      sources,
      siteCidrs,
      // Harbor's Secrets (secretKey, core/jobservice/registry secrets, DB client password)
      // and the database's (owner password): what makes a restored database readable.
      backupNamespaces: [harborNs, names.database],
      // External object store: its owner keeps it replicated; there is no MinIO to mirror.
      ...(minio && ns.minio
        ? {
            mirrorSource: {
              namespace: ns.minio.name,
              endpoint: minio.url,
              buckets: minio.buckets,
              mirrorSecret: minio.mirrorSecretName,
              rootCredentials: ROOT_CREDENTIALS,
              caSecret: TRUSTED_CA_SECRET,
              namespaceReady: [ns.minio.namespace],
              minioReady: minio.ready,
            },
          }
        : {}),
      ...(existing.velero
        ? { existingVelero: { namespace: existing.velero.namespace, ready: readsFor(a.preflight, "velero") } }
        : {}),
      provider,
    });
  }
  const refill = drParts?.refillJob ? [drParts.refillJob] : [];

  // Restore drills next to the mirror: the database archive into a scratch cluster, a sample of
  // registry blobs against their DR copy.
  const drillNs =
    dr && drParts?.mirror && minio && ns.minio
      ? a.namespaceFor("dr-drill", DRILL_NAMESPACE, "restricted")
      : undefined;

  const backupCreds = store.credentials("backups");
  const backupSecret = opaqueSecret(
    `${name}-db-backup-credentials`,
    {
      name: "harbor-pg-backup-s3",
      namespace: names.database,
      data: {
        [BACKUP_KEYS.accessKey]: backupCreds.accessKey,
        [BACKUP_KEYS.secretKey]: backupCreds.secretKey,
      },
    },
    k8sOpts(ns.database),
  );
  const cnpg = new CloudNativePg(
    `${name}-cnpg`,
    {
      ...(existing.cloudnativePg
        ? {
            existing: {
              namespace: existing.cloudnativePg.namespace,
              installPlugin: existing.cloudnativePg.installPlugin,
              ready: readsFor(a.preflight, "cloudnativePg"),
            },
          }
        : { namespace: ns.cnpg }),
      certManager,
      provider,
      monitoringLabels,
      sources,
    },
    opts,
  );
  const database = new HarborDatabase(
    CLUSTER_NAME,
    {
      namespace: ns.database,
      harborNamespace: ns.harbor,
      settings: p.database,
      cnpg,
      certManager,
      backup: {
        endpointUrl: store.url,
        bucket: store.buckets.backups,
        credentialsSecret: "harbor-pg-backup-s3",
        ...(store.projectCa ? { caSecret: CA_BUNDLE_SECRET } : {}),
      },
      // Not the object store itself: the ObjectStore CR only describes it, the plugin retries WAL
      // archiving until MinIO answers and PostgreSQL keeps WAL until archived. So the database
      // comes up beside MinIO instead of after it (a recovery still waits, for the refill).
      backupDependsOn: [backupSecret, dbCa],
      ...(dr ? { restore: dr.restore } : {}),
      // A recovery reads the archive from MinIO: only after the refill put it back.
      recoveryDependsOn: refill,
      ...(a.restoredOwnerPassword ? { restoredOwnerPassword: a.restoredOwnerPassword } : {}),
      protect: a.config.protectData,
      provider,
      maxConnections: databaseMaxConnections(a.config.harbor.replicas),
      sources,
    },
    opts,
  );

  // Before Harbor's chart changes: an on-demand backup named after the target version.
  const preUpgradeBackup = cnpgPreUpgradeBackup(
    `${name}-pre-upgrade-backup`,
    {
      namespace: names.database,
      clusterName: database.clusterName,
      chartVersion: a.config.upgrade.chartVersion,
      timeoutSeconds: a.config.upgrade.backupTimeoutSeconds,
      awaited: a.upgradeGate.upgrading,
    },
    // Not the Cluster: CloudNativePG keeps a backup of a cluster not yet running pending.
    { parent: a.parent, provider, dependsOn: cnpg.operatorReady },
  );

  if (dr && drParts && drillNs && minio && ns.minio) {
    const restore = dr.restore;
    new RestoreDrill(
      `${name}-dr-drill`,
      {
        schedule: dr.drill.schedule,
        namespace: drillNs.name,
        archive: {
          endpointUrl: minio.url,
          bucket: minio.buckets.backups,
          // After a restore the cluster archives under the restore's new server name.
          serverName: restore.enabled ? restore.archiveServerName : CLUSTER_NAME,
        },
        archiveCredentials: minio.credentials("drill"),
        caPem: a.ca.certPem,
        storageClass: p.database.storageClass,
        size: p.database.size,
        minSchemaVersion: HARBOR_SCHEMA_VERSION,
        activeDeadlineSeconds: DRILL_DEADLINE_SECONDS,
        dependsOn: [drillNs.namespace],
        blobs: {
          namespace: ns.minio.name,
          registryBucket: minio.buckets.registry,
          drBucket: dr.bucket.bucketName,
          region: dr.bucket.region,
          // Read-only: the restore user's key, not a writer's.
          ...drParts.bucket.restoreCredentials,
          sample: dr.drill.blobSample,
          // Blobs younger than two RPOs may not have reached the DR copy yet.
          minAgeMinutes: 2 * dr.mirror.rpoMinutes,
          minio: {
            endpoint: minio.url,
            credentials: {
              secretName: minio.mirrorSecretName,
              accessKeyIdKey: USER_KEYS.accessKey,
              secretAccessKeyKey: USER_KEYS.secretKey,
            },
            caSecretName: TRUSTED_CA_SECRET,
            caKey: "ca.crt",
          },
          dependsOn: [ns.minio.namespace, ...minio.ready],
          ...(a.config.proxy ? { proxy: a.config.proxy } : {}),
        },
        provider,
        sources,
      },
      opts,
    );
  }

  const redis = new RedisSentinel(
    `${name}-redis`,
    {
      namespace: ns.redis,
      harborNamespace: ns.harbor,
      settings: p.redis,
      provider,
      monitoringLabels,
      sources,
    },
    opts,
  );

  const harborCreds = store.credentials("harbor");
  const s3Secret = opaqueSecret(
    `${name}-harbor-s3`,
    {
      name: "harbor-s3",
      namespace: harborNs,
      data: {
        REGISTRY_STORAGE_S3_ACCESSKEY: harborCreds.accessKey,
        REGISTRY_STORAGE_S3_SECRETKEY: harborCreds.secretKey,
      },
    },
    k8sOpts(ns.harbor),
  );

  const ingressSecret = "harbor-ingress-tls";
  const exposure = a.config.exposure;
  const nginx = exposure.kind === "ingress" && exposure.className === "nginx";
  const certs = [
    certManager.certificate(
      `${name}-harbor-ingress-cert`,
      { secretName: ingressSecret, namespace: harborNs, dnsNames: [a.config.hostname], public: true },
      [ns.harbor.namespace],
    ),
    ...INTERNAL_TLS_COMPONENTS.map((c) =>
      certManager.certificate(
        `${name}-harbor-${c}-internal-cert`,
        {
          secretName: `harbor-${c}-internal-tls`,
          namespace: harborNs,
          dnsNames: [
            ...internalDnsNames(c, harborNs),
            ...(nginx && (INGRESS_BACKENDS as readonly string[]).includes(c) ? [INGRESS_BACKEND_NAME] : []),
          ],
          ...(c === "core" ? { ipAddresses: ["127.0.0.1"] } : {}),
        },
        [ns.harbor.namespace],
      ),
    ),
  ];

  // With internal TLS, the ingress controller dials Harbor's pods over https (the chart names
  // the ports https-*) and must verify them against the project CA.
  const backendTrust =
    exposure.kind === "ingress" && exposure.className === "traefik"
      ? traefikBackendTrust(name, harborNs, { parent: a.parent, provider, dependsOn: [harborCa] })
      : undefined;
  if (exposure.kind === "gateway")
    gatewayBackendTrust(name, harborNs, a.ca.certPem, {
      parent: a.parent,
      provider,
      dependsOn: [ns.harbor.namespace],
    });

  for (const [key, flows] of Object.entries(
    prodFlows({
      ns: names,
      prod: p,
      net: a.config.networkPolicy,
      exposure: a.config.exposure,
      clusterName: CLUSTER_NAME,
      drMirror: drParts?.mirror !== undefined,
      ...(drillNs ? { drillNamespace: drillNs.name } : {}),
      egress: a.config.egress,
      ...(a.config.proxy ? { proxy: a.config.proxy } : {}),
      clusterIssuer: existing.certManager?.clusterIssuer !== undefined,
    }),
  )) {
    const target = key === "drill" ? drillNs : ns[key as keyof typeof ns];
    if (target)
      namespacePolicies(`${name}-${key}-netpol`, { namespace: target, flows, provider, siteCidrs }, opts);
  }

  return {
    values: {
      monitoringLabels,
      ...(backendTrust ? { serviceAnnotations: backendTrust.serviceAnnotations } : {}),
      ...(nginx ? nginxBackendTrust(harborNs) : {}),
      caBundleSecretName: CA_BUNDLE_SECRET,
      // An ACME (or the cluster's issuer's) certificate chains to roots clients already trust.
      ...(publicCertByProjectCa(a.config) ? { caSecretName: CA_BUNDLE_SECRET } : {}),
      database: {
        host: database.host,
        port: database.port,
        username: "harbor",
        database: "registry",
        existingSecret: database.harborSecretName,
        sslmode: "verify-full",
        pool: HARBOR_DB_POOL,
      },
      redis: { addr: redis.addr, sentinelMasterSet: redis.masterSet, existingSecret: redis.harborSecretName },
      s3: {
        bucket: store.buckets.registry,
        region: store.region,
        regionEndpoint: store.url,
        existingSecret: "harbor-s3",
        disableRedirect: true,
      },
      internalTls: {
        secretNames: Object.fromEntries(
          INTERNAL_TLS_COMPONENTS.map((c) => [c, `harbor-${c}-internal-tls`]),
        ) as Record<(typeof INTERNAL_TLS_COMPONENTS)[number], string>,
      },
    },
    serverTls: { secretName: ingressSecret },
    dependsOn: [
      // Not the database Cluster: Harbor's pods wait for the database themselves (core polls its
      // port, then restarts) and Helm's wait still covers Harbor's readiness. During a restore
      // the recovered primary serves only once recovered, so Harbor never sees it half-done.
      database.harborSecret,
      redis.release,
      redis.harborSecret,
      s3Secret,
      harborCa,
      ...certs,
      ...store.ready,
      // Harbor serves blobs from MinIO: in restore mode only once the refill put them back.
      ...refill,
      // Harbor migrates its schema at start: only once the backup of the schema it had completed.
      preUpgradeBackup,
    ],
    endpoints: {
      namespaces: names,
      objectStoreUrl: store.url,
      buckets: store.buckets,
      ...(minio ? { mirrorCredentialsSecret: minio.mirrorSecretName, minioCaSecret: TRUSTED_CA_SECRET } : {}),
      database: {
        clusterName: database.clusterName,
        namespace: database.namespace,
        objectStoreName: database.objectStoreName,
      },
      redis: { namespace: names.redis, sentinelAddr: redis.addr, masterSet: redis.masterSet },
      ...(dr && drParts
        ? {
            dr: {
              bucketName: dr.bucket.bucketName,
              region: dr.bucket.region,
              ...(dr.bucket.replicaBucketName ? { replicaBucketName: dr.bucket.replicaBucketName } : {}),
              veleroNamespace: drParts.velero.namespaceName,
              ...(drParts.mirror ? { mirrorCronJob: "dr-mirror" } : {}),
              ...(drillNs && names.minio
                ? {
                    drills: {
                      cronJobs: [
                        { namespace: drillNs.name, name: DB_DRILL },
                        { namespace: names.minio, name: BLOB_DRILL },
                      ],
                      // A drill may run until its deadline after the longest gap.
                      maxAgeSeconds: dr.drill.intervalMinutes * 60 + DRILL_DEADLINE_SECONDS,
                    },
                  }
                : {}),
              restoring: dr.restore.enabled,
            },
          }
        : {}),
    },
  };
}
