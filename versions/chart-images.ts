// Where each pinned chart's values set each image it can run, and the image at the chart's own
// default reference. The program writes every pinned one (with the mirror's registry when
// `mirror.registry` is set, the path and tag unchanged); test/mirror/images.test.ts walks
// each pinned values.yaml and fails on an image setting missing here.
import { chartImages as i, images, type ChartKey, type ImagePin } from "./index";

/** How a chart's values spell an image (read from its templates at the pinned tag). */
export type ImageShape =
  /** `{repository, tag}` at the path; the repository carries the registry. */
  | { readonly kind: "repositoryTag" }
  /** `{registry, repository, tag}`: the registry is the first `registryParts` components. */
  | { readonly kind: "registryRepositoryTag"; readonly registryParts: number }
  /** The repository as a string at the path, the tag in the sibling key `tagKey`. */
  | { readonly kind: "imageAndTag"; readonly tagKey: string }
  /** The whole reference as one string (a setting the chart passes on verbatim). */
  | { readonly kind: "reference" };

export interface ChartImageSetting {
  /** Dotted path of the setting in the chart's values. */
  readonly path: string;
  readonly shape: ImageShape;
  /** The image; absent for a setting the program leaves alone because `off` keeps it from running. */
  readonly pin?: ImagePin;
  /** A switch (dotted path) the program's values keep false: the image never starts. */
  readonly off?: string;
  /** Only `helm test` starts it (a `helm.sh/hook: test` Pod); a Release never runs tests. */
  readonly helmTestOnly?: true;
  /** When it runs, where that is narrower than "whenever the chart is installed". */
  readonly note?: string;
}

const repoTag = { kind: "repositoryTag" } as const;

export const CHART_IMAGE_SETTINGS: Readonly<Record<ChartKey, readonly ChartImageSetting[]>> = {
  // harbor-helm 1.19.2 templates/*/*.yaml: `{{ .Values.<c>.image.repository }}:{{ ...tag }}`;
  // the hooks and init containers reuse core's and the database's images.
  harbor: [
    { path: "nginx.image", shape: repoTag, pin: i.harborNginx, note: "exposure: loadBalancer" },
    { path: "portal.image", shape: repoTag, pin: i.harborPortal },
    { path: "core.image", shape: repoTag, pin: i.harborCore },
    { path: "jobservice.image", shape: repoTag, pin: i.harborJobservice },
    { path: "registry.registry.image", shape: repoTag, pin: i.harborRegistry },
    { path: "registry.controller.image", shape: repoTag, pin: i.harborRegistryctl },
    { path: "trivy.image", shape: repoTag, pin: i.harborTrivyAdapter },
    {
      path: "database.internal.image",
      shape: repoTag,
      pin: i.harborDatabase,
      note: "dev only: the internal database",
    },
    {
      path: "redis.internal.image",
      shape: repoTag,
      pin: i.harborValkey,
      note: "dev only: the internal Redis",
    },
    { path: "exporter.image", shape: repoTag, pin: i.harborExporter },
  ],
  // cert-manager v1.21.1 templates/_helpers.tpl "cert-manager.image": a set `repository`
  // replaces imageRegistry/imageNamespace/name; the tag defaults to the appVersion.
  certManager: [
    { path: "image", shape: repoTag, pin: i.certManagerController },
    { path: "webhook.image", shape: repoTag, pin: i.certManagerWebhook },
    { path: "cainjector.image", shape: repoTag, pin: i.certManagerCainjector },
    // Passed to the controller as --acme-http01-solver-image (templates/deployment.yaml).
    {
      path: "acmesolver.image",
      shape: repoTag,
      pin: i.certManagerAcmesolver,
      note: "certManager.issuer: acme",
    },
    {
      path: "startupapicheck.image",
      shape: repoTag,
      pin: i.certManagerStartupapicheck,
      note: "post-install hook",
    },
  ],
  // cloudnative-pg 0.29.0 templates/deployment.yaml: the image, also as OPERATOR_IMAGE_NAME
  // (the instance manager every PostgreSQL pod copies from it); config.data is the operator's
  // ConfigMap, whose POSTGRES_IMAGE_NAME is the default operand image.
  cloudnativePg: [
    { path: "image", shape: repoTag, pin: i.cloudnativePg },
    { path: "config.data.POSTGRES_IMAGE_NAME", shape: { kind: "reference" }, pin: images.postgresql },
  ],
  // plugin-barman-cloud 0.7.0 templates/deployment.yaml and configmap.yaml (SIDECAR_IMAGE, the
  // sidecar the plugin injects into every PostgreSQL pod): `{{ registry }}/{{ repository }}:{{ tag }}`.
  barmanCloudPlugin: [
    { path: "image", shape: { kind: "registryRepositoryTag", registryParts: 1 }, pin: i.barmanCloudPlugin },
    {
      path: "sidecarImage",
      shape: { kind: "registryRepositoryTag", registryParts: 1 },
      pin: i.barmanCloudSidecar,
    },
  ],
  // redis-ha 4.39.0 templates/redis-ha-statefulset.yaml, redis-haproxy-deployment.yaml,
  // _helpers.tpl "redis.sysctl.image" (`registry/repository:tag`), tests/test-redis-ha-configmap.yaml.
  redisHa: [
    { path: "image", shape: repoTag, pin: images.redis },
    { path: "exporter.image", shape: { kind: "imageAndTag", tagKey: "tag" }, pin: images.redisExporter },
    { path: "haproxy.image", shape: repoTag, pin: i.redisHaproxy, off: "haproxy.enabled" },
    {
      path: "sysctlImage",
      shape: { kind: "registryRepositoryTag", registryParts: 3 },
      pin: i.redisSysctl,
      off: "sysctlImage.enabled",
    },
    { path: "configmapTest.image", shape: repoTag, pin: i.redisConfigmapTest, helmTestOnly: true },
  ],
  // minio 5.4.0 templates/statefulset.yaml and the post-install job's mc image.
  minio: [
    { path: "image", shape: repoTag, pin: images.minio },
    { path: "mcImage", shape: repoTag, pin: images.minioMc, note: "post-install hook" },
  ],
  // velero 12.1.0: the server (and upgrade-CRDs hook) image; kubectl for the label-namespace and
  // CRD-cleanup hooks, whose tag otherwise follows the cluster's version.
  velero: [
    { path: "image", shape: repoTag, pin: i.velero },
    {
      path: "kubectl.image",
      shape: repoTag,
      pin: images.kubectl,
      note: "its hooks need namespace.labels or cleanUpCRDs, both off",
    },
  ],
  // fluent-bit 0.58.1 templates/_pod.tpl ("fluent-bit.image": repository:tag, tag defaulting to
  // the appVersion) and tests/test-connection.yaml (busybox:latest, which the program keeps off).
  fluentBit: [
    { path: "image", shape: repoTag, pin: i.fluentBit },
    { path: "hotReload.image", shape: repoTag, pin: i.fluentBitReload, off: "hotReload.enabled" },
    { path: "testFramework.image", shape: repoTag, off: "testFramework.enabled" },
  ],
};

/** An image the program runs itself, outside any chart's own settings, and what runs it. */
export interface ProgramImage {
  readonly pin: ImagePin;
  readonly usedBy: string;
}

export const PROGRAM_IMAGES: readonly ProgramImage[] = [
  { pin: images.rclone, usedBy: "DR mirror CronJob, restore refill Job, blob restore drill (prod)" },
  { pin: images.kubectl, usedBy: "database restore drill (prod)" },
  { pin: images.veleroPluginForAws, usedBy: "Velero's init container (prod)" },
  { pin: images.redisExporter, usedBy: "Sentinel exporter container in redis-ha's values (prod)" },
  { pin: images.postgresql, usedBy: "CloudNativePG Cluster imageName, the drill's scratch Cluster (prod)" },
  { pin: i.harborDatabase, usedBy: "pre-upgrade database dump Job (dev)" },
  { pin: images.harborPrepare, usedBy: "smoke-test Job after each new Harbor chart version" },
];
