// The S3 object store behind Harbor's registry and the database backups: MinIO distributed
// (erasure coding on node-local drives, TLS from cert-manager, versioned buckets, one
// least-privilege user per consumer) or, in `external` mode, any S3 endpoint.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type * as kube from "@pulumi/kubernetes";
import { pinnedMinioImage, type BucketNames, type MinioSettings } from "../../config";
import { images } from "../../versions";
import type { CertManager } from "../cert-manager";
import type { PlatformNamespace } from "../namespace";
import { caBundleSecret, mergeValues, opaqueSecret, pinnedRelease, randomPassword, zoneSpread } from "../k8s";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import type { ImageSource, Sources } from "../mirror";

export const MINIO_RELEASE = "minio";
export const MINIO_PORT = 9000;
/** Labels the chart puts on MinIO's pods. */
export const MINIO_POD_LABELS = { app: "minio", release: MINIO_RELEASE } as const;
/** Keys of every per-user credentials Secret this module writes. */
export const USER_KEYS = { accessKey: "accessKey", secretKey: "secretKey" } as const;

/** Who reads and writes which bucket. */
export type Consumer = "harbor" | "backups" | "mirror" | "drill";

const ARN = (b: string) => `arn:aws:s3:::${b}`;

/** One policy per consumer, scoped to its bucket(s); the mirror and the restore drill only read. */
export function minioPolicies(
  buckets: BucketNames,
): { name: string; statements: Record<string, unknown>[] }[] {
  const readWrite = (bucket: string) => [
    {
      effect: "Allow",
      resources: [ARN(bucket)],
      actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
    },
    {
      effect: "Allow",
      resources: [`${ARN(bucket)}/*`],
      actions: [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
    },
  ];
  const all = [buckets.registry, buckets.backups];
  return [
    { name: "harbor-registry", statements: readWrite(buckets.registry) },
    { name: "db-backups", statements: readWrite(buckets.backups) },
    {
      name: "dr-mirror",
      statements: [
        {
          effect: "Allow",
          resources: all.map(ARN),
          actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions"],
        },
        {
          effect: "Allow",
          resources: all.map((b) => `${ARN(b)}/*`),
          actions: ["s3:GetObject", "s3:GetObjectVersion"],
        },
      ],
    },
    // The restore drill's scratch cluster reads the database archive, nothing else.
    {
      name: "dr-drill",
      statements: [
        {
          effect: "Allow",
          resources: [ARN(buckets.backups)],
          actions: ["s3:GetBucketLocation", "s3:ListBucket"],
        },
        { effect: "Allow", resources: [`${ARN(buckets.backups)}/*`], actions: ["s3:GetObject"] },
      ],
    },
  ];
}

export const USERS: Record<Consumer, { accessKey: string; policy: string; secret: string }> = {
  harbor: { accessKey: "harbor-registry", policy: "harbor-registry", secret: "minio-user-harbor" },
  backups: { accessKey: "db-backups", policy: "db-backups", secret: "minio-user-backups" },
  mirror: { accessKey: "dr-mirror", policy: "dr-mirror", secret: "minio-user-mirror" },
  drill: { accessKey: "dr-drill", policy: "dr-drill", secret: "minio-user-drill" },
};

export const ROOT_SECRET = "minio-root";
/** MinIO's root credentials as an S3 client reads them (the chart's existingSecret keys). */
export const ROOT_CREDENTIALS = {
  secretName: ROOT_SECRET,
  accessKeyIdKey: "rootUser",
  secretAccessKeyKey: "rootPassword",
} as const;
export const TLS_SECRET = "minio-tls";
export const TRUSTED_CA_SECRET = "minio-trusted-ca";

/** Days a replaced or deleted object version stays in MinIO (undo window for mistakes). */
export const NONCURRENT_VERSION_DAYS = 7;

/**
 * `objectStore.image` replaces the server image (a self-built, patched one): used as given. The
 * pinned default, like the mc image, comes from `source` (the chart images, components/mirror).
 */
export function minioValues(s: MinioSettings, source: ImageSource): Record<string, unknown> {
  const image = pinnedMinioImage(s) ? source.pin(images.minio) : s.image;
  return {
    image: { repository: image.repository, tag: image.tag },
    mode: "distributed",
    replicas: s.nodes,
    drivesPerNode: s.drivesPerNode,
    pools: 1,
    existingSecret: ROOT_SECRET,
    tls: { enabled: true, certSecret: TLS_SECRET, publicCrt: "tls.crt", privateKey: "tls.key" },
    // Only the project CA (not the Secret with the key) goes into MinIO's CAs folder.
    trustedCertsSecret: TRUSTED_CA_SECRET,
    persistence: {
      enabled: true,
      storageClass: s.storageClass,
      accessMode: "ReadWriteOnce",
      size: s.driveSize,
    },
    // The chart asks 16Gi per pod by default; MinIO runs well from 4Gi at registry load.
    resources: { requests: { memory: "4Gi" } },
    // One MinIO node per Kubernetes node: erasure parity is counted per node.
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: MINIO_POD_LABELS }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    },
    // With zones, nodes also spread strictly over them; config refuses layouts whose write
    // quorum a zone's loss would break.
    ...(s.zones > 1 ? { topologySpreadConstraints: zoneSpread({ ...MINIO_POD_LABELS }, s.zones) } : {}),
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    policies: minioPolicies(s.buckets),
    users: (Object.keys(USERS) as Consumer[]).map((c) => ({
      accessKey: USERS[c].accessKey,
      existingSecret: USERS[c].secret,
      existingSecretKey: USER_KEYS.secretKey,
      policy: USERS[c].policy,
    })),
    buckets: [s.buckets.registry, s.buckets.backups].map((name) => ({
      name,
      policy: "none",
      purge: false,
      versioning: true,
      objectlocking: false,
    })),
    // Versioning keeps what GC, upload purging and backup retention delete as noncurrent
    // versions: expire them, or the erasure-coded disks only ever fill. The DR bucket keeps
    // its own, longer version history.
    customCommands: [s.buckets.registry, s.buckets.backups].map((name) => ({
      command: lifecycleImportCommand(name),
    })),
  };
}

/**
 * The chart re-runs customCommands on every install and upgrade (`runCommand <command>` in
 * its post-install/upgrade Job): `mc ilm rule add` would append one more rule each time,
 * `mc ilm import` replaces the bucket's whole lifecycle configuration with the JSON on its
 * stdin (minio-go's lifecycle.Configuration), here a heredoc.
 */
export function lifecycleImportCommand(bucket: string): string {
  const lifecycle = {
    Rules: [
      {
        ID: "expire-noncurrent-versions",
        Status: "Enabled",
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
      },
    ],
  };
  return `ilm import myminio/${bucket} <<'LIFECYCLE'\n${JSON.stringify(lifecycle)}\nLIFECYCLE`;
}

/** How a consumer reaches the object store, whichever mode it runs in. */
export interface ObjectStoreEndpoint {
  /** https:// URL with scheme (Harbor's regionendpoint, the backups' endpointURL). */
  readonly url: string;
  readonly region: string;
  readonly buckets: BucketNames;
  /** Whether the endpoint's certificate is signed by the project CA (trust bundle needed). */
  readonly projectCa: boolean;
  readonly credentials: (c: Exclude<Consumer, "mirror">) => {
    accessKey: pulumi.Input<string>;
    secretKey: pulumi.Input<string>;
  };
  /** What a consumer must wait for (the MinIO release that creates buckets and users). */
  readonly ready: pulumi.Resource[];
}

export interface MinioArgs {
  readonly namespace: PlatformNamespace;
  readonly settings: MinioSettings;
  readonly certManager: CertManager;
  readonly caPem: pulumi.Input<string>;
  readonly protect: boolean;
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on MinIO's ServiceMonitor (public metrics endpoint). */
  readonly monitoringLabels?: Labels;
  /** Where the chart and images come from. */
  readonly sources: Sources;
}

export class Minio extends pulumi.ComponentResource implements ObjectStoreEndpoint {
  readonly release: kube.helm.v3.Release;
  readonly url: string;
  readonly region = "us-east-1";
  readonly buckets: BucketNames;
  readonly projectCa = true;
  readonly ready: pulumi.Resource[];
  /** Secret in MinIO's namespace (accessKey, secretKey) with read-only access to both buckets. */
  readonly mirrorSecretName = USERS.mirror.secret;
  private readonly keys: Record<Consumer, pulumi.Output<string>>;

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:object-store:Minio", name, {}, opts);
    const ns = args.namespace.name;
    const s = args.settings;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] };
    this.buckets = s.buckets;
    this.url = `https://${MINIO_RELEASE}.${ns}.svc:${MINIO_PORT}`;

    const rootPassword = randomPassword(`${name}-root-password`, 40, this);
    const secrets: pulumi.Resource[] = [
      opaqueSecret(
        `${name}-root`,
        {
          name: ROOT_SECRET,
          namespace: ns,
          data: {
            [ROOT_CREDENTIALS.accessKeyIdKey]: "minio-root",
            [ROOT_CREDENTIALS.secretAccessKeyKey]: rootPassword.result,
          },
        },
        k8sOpts,
      ),
      caBundleSecret(
        `${name}-trusted-ca`,
        { name: TRUSTED_CA_SECRET, namespace: ns, caPem: args.caPem },
        k8sOpts,
      ),
    ];
    const keys = {} as Record<Consumer, pulumi.Output<string>>;
    for (const c of Object.keys(USERS) as Consumer[]) {
      keys[c] = randomPassword(`${name}-${c}-secret-key`, 40, this).result;
      secrets.push(
        opaqueSecret(
          `${name}-user-${c}`,
          {
            name: USERS[c].secret,
            namespace: ns,
            data: { [USER_KEYS.accessKey]: USERS[c].accessKey, [USER_KEYS.secretKey]: keys[c] },
          },
          k8sOpts,
        ),
      );
    }
    this.keys = keys;
    // Peers reach each other through the headless Service, clients through the main one.
    const headless = `${MINIO_RELEASE}-svc.${ns}.svc`;
    const cert = args.certManager.certificate(
      `${name}-tls`,
      {
        secretName: TLS_SECRET,
        namespace: ns,
        dnsNames: [
          `${MINIO_RELEASE}.${ns}.svc`,
          MINIO_RELEASE,
          `${MINIO_RELEASE}.${ns}`,
          `${MINIO_RELEASE}.${ns}.svc.cluster.local`,
          `*.${headless}`,
          `*.${headless}.cluster.local`,
        ],
      },
      [args.namespace.namespace],
    );
    this.release = pinnedRelease(
      name,
      {
        name: MINIO_RELEASE,
        namespace: ns,
        chart: "minio",
        values: mergeValues(
          minioValues(s, args.sources.images),
          args.monitoringLabels && chartMonitoringValues.minio(args.monitoringLabels),
        ),
        timeoutSeconds: 900,
        sources: args.sources,
      },
      { ...k8sOpts, dependsOn: [args.namespace, cert, ...secrets], protect: args.protect },
    );
    this.ready = [this.release];
    this.registerOutputs({ url: this.url, buckets: this.buckets, mirrorSecretName: this.mirrorSecretName });
  }

  credentials(c: Exclude<Consumer, "mirror">) {
    return { accessKey: USERS[c].accessKey, secretKey: this.keys[c] };
  }
}

/** Any S3 endpoint; credentials come from secret stack config. */
export function externalObjectStore(args: {
  readonly endpoint: string;
  readonly region: string;
  readonly buckets: BucketNames;
  readonly accessKey: pulumi.Output<string>;
  readonly secretKey: pulumi.Output<string>;
}): ObjectStoreEndpoint {
  return {
    url: args.endpoint,
    region: args.region,
    buckets: args.buckets,
    projectCa: false,
    credentials: () => ({ accessKey: args.accessKey, secretKey: args.secretKey }),
    ready: [],
  };
}
