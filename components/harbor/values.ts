// Pure builder of the Harbor chart's values. Every key exists in chart 1.19.2's values.yaml
// (the conformance suite checks it). No secret appears here: secrets are referenced by the
// names of Kubernetes Secrets the Harbor component creates (`existingSecret*`).
import type {
  Exposure,
  HarborSettings,
  LoadBalancerEntryPoint,
  ProxyConfig,
  StorageConfig,
  Topology,
  TrivyConfig,
} from "../../config";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import { reloadOnSecrets } from "../k8s/reloader";

/** Keys inside the `credentials` Secret, as the chart's templates read them. */
export const CREDENTIAL_KEYS = {
  adminPassword: "HARBOR_ADMIN_PASSWORD",
  secretKey: "secretKey",
  coreSecret: "secret",
  jobserviceSecret: "JOBSERVICE_SECRET",
  registryHttpSecret: "REGISTRY_HTTP_SECRET",
  registryPassword: "REGISTRY_PASSWD",
  registryHtpasswd: "REGISTRY_HTPASSWD",
  xsrfKey: "CSRF_KEY",
} as const;

export const REGISTRY_USERNAME = "harbor_registry_user";

export interface HarborSecretNames {
  /** One Secret holding every key of CREDENTIAL_KEYS. */
  readonly credentials: string;
  /** kubernetes.io/tls Secret with the token service's signing key and certificate. */
  readonly token: string;
  /** kubernetes.io/tls Secret with the external server certificate (and ca.crt). */
  readonly serverTls: string;
}

export interface ExternalDatabase {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly database: string;
  /** Secret with key `password`. */
  readonly existingSecret: string;
  readonly sslmode: "verify-full" | "verify-ca" | "require" | "disable";
  /** Per pod of core, jobservice and exporter. */
  readonly pool?: { readonly maxOpenConns: number; readonly maxIdleConns: number };
}

export interface ExternalRedis {
  /** `host:port` or, with Sentinel, `s1:26379,s2:26379,s3:26379`. */
  readonly addr: string;
  readonly sentinelMasterSet?: string;
  /** Secret with key REDIS_PASSWORD. */
  readonly existingSecret: string;
}

export interface S3Storage {
  readonly bucket: string;
  readonly region: string;
  /** Full URL with scheme: the registry's S3 driver needs `http://` or `https://`. */
  readonly regionEndpoint: string;
  /** Secret with REGISTRY_STORAGE_S3_ACCESSKEY and REGISTRY_STORAGE_S3_SECRETKEY. */
  readonly existingSecret: string;
  /** MinIO cannot serve redirects to pre-signed URLs that clients could follow. */
  readonly disableRedirect: boolean;
}

export interface InternalTls {
  /** kubernetes.io/tls Secrets (with ca.crt) per component. */
  readonly secretNames: Readonly<Record<"core" | "jobservice" | "registry" | "portal" | "trivy", string>>;
}

export interface HarborValuesInput {
  readonly topology: Topology;
  readonly hostname: string;
  readonly exposure: Exposure;
  readonly storage: StorageConfig;
  readonly harbor: HarborSettings;
  readonly secrets: HarborSecretNames;
  /** Secret with key `ca.crt` added to the trust store of core, jobservice, registry, trivy. */
  readonly caBundleSecretName?: string;
  /** Secret with key `ca.crt` the portal's "Registry Certificate" link serves (chart caSecretName). */
  readonly caSecretName?: string;
  readonly database?: ExternalDatabase;
  readonly redis?: ExternalRedis;
  readonly s3?: S3Storage;
  readonly internalTls?: InternalTls;
  /** Labels Prometheus selects by; set when the cluster runs prometheus-operator (prod). */
  readonly monitoringLabels?: Labels;
  /** Annotations on Harbor's Ingress (e.g. how ingress-nginx verifies the backends). */
  readonly ingressAnnotations?: Labels;
  /** Annotations on the Services the ingress routes to (e.g. how the controller trusts them). */
  readonly serviceAnnotations?: { readonly core?: Labels; readonly portal?: Labels };
  /** The corporate proxy Harbor's components that call out use. */
  readonly proxy?: ProxyConfig;
  /** Where Trivy gets its databases; the chart's public repositories when absent. */
  readonly trivy?: TrivyConfig;
}

export type HelmValues = Record<string, unknown>;

/** Spread replicas over nodes (hard) and zones (soft); the chart adds the labelSelector. */
export const TOPOLOGY_SPREAD = [
  { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
  { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
];

function workload(replicas: number): HelmValues {
  return {
    replicas,
    // The chart renders a PDB only when replicas > 1; minAvailable alone (never both fields).
    podDisruptionBudget: { enabled: replicas > 1, minAvailable: Math.max(1, replicas - 1) },
    ...(replicas > 1 ? { topologySpreadConstraints: TOPOLOGY_SPREAD } : {}),
  };
}

function expose(input: HarborValuesInput): HelmValues {
  const tls = { enabled: true, certSource: "secret", secret: { secretName: input.secrets.serverTls } };
  const e = input.exposure;
  switch (e.kind) {
    case "ingress":
      return {
        type: "ingress",
        tls,
        ingress: {
          hosts: { core: input.hostname },
          className: e.className,
          ...(input.ingressAnnotations ? { annotations: { ...input.ingressAnnotations } } : {}),
        },
      };
    case "gateway":
      return {
        type: "route",
        tls,
        route: {
          hosts: [input.hostname],
          parentRefs: e.parentRefs.map((r) => ({
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            ...r,
          })),
        },
      };
    case "loadBalancer":
      return {
        type: "loadBalancer",
        tls,
        loadBalancer: { name: "harbor", ...loadBalancerService(e.entryPoint) },
      };
  }
}

/**
 * Annotations that give the LoadBalancer Service its fixed address, as each announcer reads them:
 * MetalLB `metallb.io/loadBalancerIPs` (v0.14.9 on; metallb/metallb controller/service.go) and the
 * `metallb.universe.tf/` form older releases read and later ones still accept, both the same
 * comma-separated list (MetalLB refuses either beside spec.loadBalancerIP, getDesiredLbIPs);
 * `metallb.io/address-pool` likewise; kube-vip `kube-vip.io/loadbalancerIPs` (v0.5.12 on;
 * kube-vip/kube-vip pkg/kubevip/annotations.go). A cloud controller reads spec.loadBalancerIP
 * (the chart's `IP`).
 */
export function loadBalancerAddressValues(ep: LoadBalancerEntryPoint): {
  annotations: Record<string, string>;
  IP?: string;
} {
  const ips = ep.addresses.join(",");
  const both = (name: string, value: string) => ({
    [`metallb.io/${name}`]: value,
    [`metallb.universe.tf/${name}`]: value,
  });
  switch (ep.announcer) {
    case "metallb":
      return {
        annotations: {
          ...(ips ? both("loadBalancerIPs", ips) : {}),
          ...(ep.addressPool ? both("address-pool", ep.addressPool) : {}),
        },
      };
    case "kube-vip":
      return { annotations: ips ? { "kube-vip.io/loadbalancerIPs": ips } : {} };
    case "cloud":
      return { annotations: {}, ...(ips ? { IP: ips } : {}) };
  }
}

function loadBalancerService(ep: LoadBalancerEntryPoint | undefined): HelmValues {
  if (!ep) return {};
  const { annotations, IP } = loadBalancerAddressValues(ep);
  return {
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(IP ? { IP } : {}),
    ...(ep.sourceRanges.length > 0 ? { sourceRanges: [...ep.sourceRanges] } : {}),
  };
}

/**
 * The chart's proxy values: it gives HTTP_PROXY, HTTPS_PROXY and NO_PROXY to each component in
 * `components` (core-cm.yaml, jobservice-cm-env.yaml, which the exporter's env follows,
 * trivy-sts.yaml, registry-dpl.yaml) and prepends its own Service names to `noProxy`
 * (`harbor.noProxy` in _helpers.tpl, harbor-helm 1.19.2).
 */
export function proxyValues(proxy: ProxyConfig): HelmValues {
  return {
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy.join(","),
    components: [...proxy.harborComponents],
  };
}

/**
 * Trivy v0.72.0 asks check.trivy.dev for updates and sends usage data on every scan unless both
 * are off (pkg/notification/notice.go); it reads each flag from TRIVY_<FLAG> (pkg/flag/options.go
 * BindEnv), and the adapter hands trivy its own environment (harbor-scanner-trivy v0.38.0
 * pkg/trivy/wrapper.go), which `trivy.extraEnvVars` extends (trivy-sts.yaml).
 */
export const TRIVY_NO_CALL_HOME = [
  { name: "TRIVY_SKIP_VERSION_CHECK", value: "true" },
  { name: "TRIVY_DISABLE_TELEMETRY", value: "true" },
] as const;

/**
 * Trivy's database source (trivy-sts.yaml turns these into the adapter's SCANNER_TRIVY_* env;
 * harbor-scanner-trivy v0.38.0 pkg/trivy/wrapper.go into trivy's --skip-db-update,
 * --skip-java-db-update, --offline-scan, --db-repository and --java-db-repository). Without
 * the internet, Trivy also stops calling home.
 */
export function trivyValues(trivy: TrivyConfig | undefined): HelmValues {
  const quiet = { extraEnvVars: TRIVY_NO_CALL_HOME.map((e) => ({ ...e })) };
  switch (trivy?.mode) {
    case "offline":
      return { skipUpdate: true, skipJavaDBUpdate: true, offlineScan: true, ...quiet };
    case "mirror":
      return {
        dbRepository: [...trivy.dbRepository],
        javaDBRepository: [...trivy.javaDbRepository],
        ...quiet,
      };
    default:
      return {};
  }
}

function persistence(input: HarborValuesInput): HelmValues {
  const s = input.storage;
  const local = (size: string) => ({ storageClass: s.localClass, accessMode: "ReadWriteOnce", size });
  const claims: HelmValues = {
    jobservice: { jobLog: local(s.jobLogSize) },
    trivy: local(s.trivySize),
  };
  if (!input.s3)
    claims.registry = { storageClass: s.nasClass, accessMode: "ReadWriteMany", size: s.registrySize };
  if (!input.database) claims.database = local(s.databaseSize);
  if (!input.redis) claims.redis = local(s.redisSize);
  const imageChartStorage = input.s3
    ? {
        type: "s3",
        disableredirect: input.s3.disableRedirect,
        s3: {
          region: input.s3.region,
          bucket: input.s3.bucket,
          regionendpoint: input.s3.regionEndpoint,
          existingSecret: input.s3.existingSecret,
          // The chart writes these booleans only when true (DESIGN.md): keep them true.
          secure: input.s3.regionEndpoint.startsWith("https://"),
          v4auth: true,
        },
      }
    : { type: "filesystem", filesystem: { rootdirectory: "/storage" } };
  return { enabled: true, resourcePolicy: "keep", persistentVolumeClaim: claims, imageChartStorage };
}

export function harborValues(input: HarborValuesInput): HelmValues {
  const h = input.harbor;
  const c = input.secrets.credentials;
  const several = h.replicas > 1;
  const values: HelmValues = {
    expose: expose(input),
    externalURL: `https://${input.hostname}`,
    persistence: persistence(input),
    existingSecretAdminPassword: c,
    existingSecretAdminPasswordKey: CREDENTIAL_KEYS.adminPassword,
    existingSecretSecretKey: c,
    logLevel: h.logLevel,
    // The exporter and /metrics are on everywhere; the ServiceMonitor needs prometheus-operator.
    metrics: input.monitoringLabels
      ? chartMonitoringValues.harbor(input.monitoringLabels).metrics
      : { enabled: true },
    // Harbor's Redis cache layer for artifact/project metadata; worthwhile with several cores.
    cache: { enabled: input.topology === "prod", expireHours: 24 },
    core: {
      ...workload(h.replicas),
      existingSecret: c,
      existingXsrfSecret: c,
      existingXsrfSecretKey: CREDENTIAL_KEYS.xsrfKey,
      secretName: input.secrets.token,
      ...(input.serviceAnnotations?.core ? { serviceAnnotations: input.serviceAnnotations.core } : {}),
    },
    jobservice: {
      ...workload(h.replicas),
      existingSecret: c,
      existingSecretKey: CREDENTIAL_KEYS.jobserviceSecret,
      // File logs live on one pod's volume; several replicas must log to the database.
      jobLoggers: several ? ["database"] : ["file"],
    },
    registry: {
      ...workload(h.replicas),
      existingSecret: c,
      existingSecretKey: CREDENTIAL_KEYS.registryHttpSecret,
      credentials: { username: REGISTRY_USERNAME, existingSecret: c },
      upload_purging: { enabled: true, age: h.uploadPurgeAge, interval: "24h", dryrun: false },
    },
    portal: {
      ...workload(h.replicas),
      ...(input.serviceAnnotations?.portal ? { serviceAnnotations: input.serviceAnnotations.portal } : {}),
    },
    exporter: workload(h.replicas),
    trivy: { enabled: true, ...workload(h.trivyReplicas), ...trivyValues(input.trivy) },
  };
  if (input.proxy) values.proxy = proxyValues(input.proxy);
  if (input.exposure.kind === "loadBalancer") values.nginx = workload(h.replicas);
  if (input.caBundleSecretName) values.caBundleSecretName = input.caBundleSecretName;
  if (input.caSecretName) values.caSecretName = input.caSecretName;
  if (input.database) {
    const d = input.database;
    values.database = {
      type: "external",
      external: {
        host: d.host,
        port: String(d.port),
        username: d.username,
        coreDatabase: d.database,
        existingSecret: d.existingSecret,
        sslmode: d.sslmode,
      },
      ...(d.pool ? { maxOpenConns: d.pool.maxOpenConns, maxIdleConns: d.pool.maxIdleConns } : {}),
    };
  }
  if (input.redis) {
    const r = input.redis;
    values.redis = {
      type: "external",
      external: {
        addr: r.addr,
        ...(r.sentinelMasterSet ? { sentinelMasterSet: r.sentinelMasterSet } : {}),
        existingSecret: r.existingSecret,
      },
    };
  }
  if (input.internalTls) {
    const n = input.internalTls.secretNames;
    values.internalTLS = {
      enabled: true,
      strong_ssl_ciphers: true,
      certSource: "secret",
      core: { secretName: n.core },
      jobservice: { secretName: n.jobservice },
      registry: { secretName: n.registry },
      portal: { secretName: n.portal },
      trivy: { secretName: n.trivy },
    };
    // Harbor reads its certificates only at start (harbor-helm #1232): each workload restarts
    // when cert-manager renews a certificate it mounts (the exporter mounts core's).
    const mounted: Record<string, string[]> = {
      core: [n.core],
      exporter: [n.core],
      jobservice: [n.jobservice],
      registry: [n.registry],
      portal: [n.portal],
      trivy: [n.trivy],
      ...(input.exposure.kind === "loadBalancer" ? { nginx: [input.secrets.serverTls] } : {}),
    };
    for (const [component, secrets] of Object.entries(mounted))
      values[component] = { ...(values[component] as HelmValues), podAnnotations: reloadOnSecrets(secrets) };
  }
  return values;
}
