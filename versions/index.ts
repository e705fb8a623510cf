// Every pinned chart and image version of the project, in one place. The conformance suite
// checks each chart version against the pinned upstream copy (test/upstream.ts).

export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  readonly version: string;
  readonly repo: string;
  /** Folder of the verbatim upstream data (test/upstream.ts resolves it). */
  readonly upstream: string;
}

export const charts = {
  harbor: { chart: "harbor", version: "1.19.2", repo: "https://helm.goharbor.io", upstream: "harbor-helm" },
  certManager: {
    chart: "cert-manager",
    version: "v1.21.1",
    repo: "https://charts.jetstack.io",
    upstream: "cert-manager-chart",
  },
  cloudnativePg: {
    chart: "cloudnative-pg",
    version: "0.29.0",
    repo: "https://cloudnative-pg.github.io/charts",
    upstream: "cloudnative-pg-chart",
  },
  barmanCloudPlugin: {
    chart: "plugin-barman-cloud",
    version: "0.7.0",
    repo: "https://cloudnative-pg.github.io/charts",
    upstream: "plugin-barman-cloud-chart",
  },
  redisHa: {
    chart: "redis-ha",
    version: "4.39.0",
    repo: "https://dandydeveloper.github.io/charts",
    upstream: "redis-ha-chart",
  },
  minio: {
    chart: "minio",
    version: "5.4.0",
    repo: "https://charts.min.io",
    upstream: "minio-community-chart",
  },
  velero: {
    chart: "velero",
    version: "12.1.0",
    repo: "https://vmware-tanzu.github.io/helm-charts",
    upstream: "velero-chart",
  },
  fluentBit: {
    chart: "fluent-bit",
    version: "0.58.1",
    repo: "https://fluent.github.io/helm-charts",
    upstream: "fluent-bit-chart",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof charts;

export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

export const images = {
  /** Harbor 2.15.2 is what chart 1.19.2 ships; listed for the policy pack's tag checks. */
  harbor: { repository: "docker.io/goharbor", tag: "v2.15.2" },
  /**
   * Harbor's `prepare` image of that release (Python inside): the smoke-test Job after an upgrade
   * runs in it. No chart sets it; Harbor publishes every image of a release under one tag.
   */
  harborPrepare: { repository: "docker.io/goharbor/prepare", tag: "v2.15.2" },
  /**
   * MinIO community edition: source-only since Oct 2025, repository archived Feb 2026. Pinned
   * to the images chart 5.4.0 ships (verifiable in its values.yaml); objectStore.image
   * overrides the server image with a self-built, patched one.
   */
  minio: { repository: "quay.io/minio/minio", tag: "RELEASE.2024-12-18T13-15-44Z" },
  minioMc: { repository: "quay.io/minio/mc", tag: "RELEASE.2024-11-21T17-21-54Z" },
  /** Official Redis image, as redis-ha 4.39.0 ships it (appVersion 8.8.0). */
  redis: { repository: "public.ecr.aws/docker/library/redis", tag: "8.8.0-alpine" },
  rclone: { repository: "docker.io/rclone/rclone", tag: "1.75.0" },
  /** The redis_exporter release redis-ha 4.39.0 pins (exporter.tag); reused for the Sentinel sidecar. */
  redisExporter: { repository: "quay.io/oliver006/redis_exporter", tag: "v1.86.0" },
  veleroPluginForAws: { repository: "docker.io/velero/velero-plugin-for-aws", tag: "v1.14.0" },
  /**
   * kubectl for the restore drill: the image Velero chart 12.1.0 runs its kubectl jobs with
   * (values.yaml `kubectl.image`; its example tag). No shell inside: one command per container.
   */
  kubectl: { repository: "registry.k8s.io/kubectl", tag: "v1.34.5" },
  /**
   * The PostgreSQL image CloudNativePG 1.30.0 runs by default (pkg/versions/versions.go
   * DefaultImageName at cloudnative-pg/cloudnative-pg v1.30.0): pinned on the Cluster and the
   * operator's POSTGRES_IMAGE_NAME so a restore and the drill run the same major.
   */
  postgresql: { repository: "ghcr.io/cloudnative-pg/postgresql", tag: "18.4-system-trixie" },
} as const satisfies Record<string, ImagePin>;

/**
 * Every other image a pinned chart can run, at the reference the chart's own defaults give
 * (its values.yaml, or Chart.yaml's appVersion where the tag defaults to it), so a mirror holds
 * the same path and tag. versions/chart-images.ts says where each chart's values set them;
 * test/mirror/images.test.ts holds both to the pinned values.yaml.
 */
export const chartImages = {
  harborNginx: { repository: "docker.io/goharbor/nginx-photon", tag: "v2.15.2" },
  harborPortal: { repository: "docker.io/goharbor/harbor-portal", tag: "v2.15.2" },
  harborCore: { repository: "docker.io/goharbor/harbor-core", tag: "v2.15.2" },
  harborJobservice: { repository: "docker.io/goharbor/harbor-jobservice", tag: "v2.15.2" },
  harborRegistry: { repository: "docker.io/goharbor/registry-photon", tag: "v2.15.2" },
  harborRegistryctl: { repository: "docker.io/goharbor/harbor-registryctl", tag: "v2.15.2" },
  harborTrivyAdapter: { repository: "docker.io/goharbor/trivy-adapter-photon", tag: "v2.15.2" },
  harborDatabase: { repository: "docker.io/goharbor/harbor-db", tag: "v2.15.2" },
  harborValkey: { repository: "docker.io/goharbor/valkey-photon", tag: "v2.15.2" },
  harborExporter: { repository: "docker.io/goharbor/harbor-exporter", tag: "v2.15.2" },
  certManagerController: { repository: "quay.io/jetstack/cert-manager-controller", tag: "v1.21.1" },
  certManagerWebhook: { repository: "quay.io/jetstack/cert-manager-webhook", tag: "v1.21.1" },
  certManagerCainjector: { repository: "quay.io/jetstack/cert-manager-cainjector", tag: "v1.21.1" },
  certManagerAcmesolver: { repository: "quay.io/jetstack/cert-manager-acmesolver", tag: "v1.21.1" },
  certManagerStartupapicheck: { repository: "quay.io/jetstack/cert-manager-startupapicheck", tag: "v1.21.1" },
  cloudnativePg: { repository: "ghcr.io/cloudnative-pg/cloudnative-pg", tag: "1.30.0" },
  barmanCloudPlugin: { repository: "ghcr.io/cloudnative-pg/plugin-barman-cloud", tag: "v0.13.0" },
  barmanCloudSidecar: { repository: "ghcr.io/cloudnative-pg/plugin-barman-cloud-sidecar", tag: "v0.13.0" },
  redisHaproxy: { repository: "public.ecr.aws/docker/library/haproxy", tag: "3.3.10-alpine" },
  redisSysctl: { repository: "public.ecr.aws/docker/library/busybox", tag: "1.38.0" },
  redisConfigmapTest: { repository: "docker.io/koalaman/shellcheck", tag: "v0.11.0" },
  velero: { repository: "docker.io/velero/velero", tag: "v1.18.1" },
  fluentBit: { repository: "cr.fluentbit.io/fluent/fluent-bit", tag: "5.1.1" },
  fluentBitReload: { repository: "ghcr.io/jimmidyson/configmap-reload", tag: "v0.15.0" },
} as const satisfies Record<string, ImagePin>;

/**
 * The database schema version Harbor v2.15.2 migrates to: its newest migration is
 * goharbor/harbor make/migrations/postgresql/0180_2.15.0_schema.up.sql (golang-migrate's
 * version is the file's number). The restore drill refuses a restored schema older than this.
 */
export const HARBOR_SCHEMA_VERSION = 180;

export function imageRef(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}`;
}

/** A version in object names: `1.19.2` -> `1-19-2`. */
export const versionSlug = (version: string): string => version.replace(/\./g, "-");
