// Pure builders of rclone's pod parts, shared by the mirror CronJob and the refill Job. Remotes
// come from environment variables only (no config file, no secret in a ConfigMap).
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { ProxyConfig } from "../../config";
import { goProxyEnv } from "../../config/proxy";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** A Secret holding S3 keys, and the keys inside it. */
export interface S3CredentialsRef {
  readonly secretName: pulumi.Input<string>;
  readonly accessKeyIdKey: string;
  readonly secretAccessKeyKey: string;
}

export interface MinioRemote {
  /** In-cluster https endpoint of MinIO, like https://minio.minio.svc:9000. */
  readonly endpoint: string;
  readonly credentials: S3CredentialsRef;
  /** Secret with the CA that signed MinIO's certificate, and its key (ca.crt). */
  readonly caSecretName: string;
  readonly caKey: string;
}

export interface DrRemote {
  readonly bucket: string;
  readonly region: string;
  readonly credentials: S3CredentialsRef;
  /** Set for writes: every object is encrypted with this key, whatever the bucket default. Reads need none. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * Read the bucket as it was at this time (RFC 3339 UTC) from its object versions. A remote
   * option, not the global `--s3-version-at` flag: that would also bind the MinIO remote, and
   * rclone permits no writes to a remote read at a version time.
   */
  readonly versionAt?: string;
}

const CA_DIR = "/etc/minio-ca";
/** rclone's --ca-cert replaces the system roots, so the job joins both into one bundle. */
const CA_BUNDLE = "/tmp/ca-bundle.pem";

/** RCLONE_CONFIG_<REMOTE>_<OPTION> variables: plain options, then the keys from their Secret. */
function remoteEnv(
  remote: string,
  options: Readonly<Record<string, pulumi.Input<string>>>,
  creds: S3CredentialsRef,
): EnvVar[] {
  const prefix = `RCLONE_CONFIG_${remote}_`;
  const fromSecret = (key: string) => ({ secretKeyRef: { name: creds.secretName, key } });
  return [
    ...Object.entries(options).map(([k, value]) => ({ name: prefix + k, value })),
    { name: `${prefix}ACCESS_KEY_ID`, valueFrom: fromSecret(creds.accessKeyIdKey) },
    { name: `${prefix}SECRET_ACCESS_KEY`, valueFrom: fromSecret(creds.secretAccessKeyKey) },
  ];
}

export function minioRemoteEnv(remote: MinioRemote): EnvVar[] {
  return remoteEnv(
    "MINIO",
    { TYPE: "s3", PROVIDER: "Minio", ENDPOINT: remote.endpoint, ENV_AUTH: "false" },
    remote.credentials,
  );
}

export function drRemoteEnv(remote: DrRemote): EnvVar[] {
  return remoteEnv(
    "DR",
    {
      TYPE: "s3",
      PROVIDER: "AWS",
      REGION: remote.region,
      ENV_AUTH: "false",
      // The user may not create or inspect buckets, only objects under its prefix.
      NO_CHECK_BUCKET: "true",
      // Every DR object is SSE-KMS (primary and replica). Declaring it also on reads tells
      // rclone that ETags are not MD5s; without it `--checksum` fails every refilled object.
      SERVER_SIDE_ENCRYPTION: "aws:kms",
      // The DR buckets have Object Lock default retention: S3 refuses an upload without
      // Content-MD5 (or a checksum header), and rclone's single-part uploads carry none when the
      // source (MinIO's multipart ETags) has no MD5. Multipart uploads send Content-MD5 on every
      // part: rclone's s3 docs, "Object-lock enabled S3 bucket", say to set upload_cutoff 0.
      UPLOAD_CUTOFF: "0",
      ...(remote.kmsKeyArn !== undefined ? { SSE_KMS_KEY_ID: remote.kmsKeyArn } : {}),
      ...(remote.versionAt !== undefined ? { VERSION_AT: remote.versionAt } : {}),
    },
    remote.credentials,
  );
}

/** rclone serves Prometheus metrics here while a transfer runs (the pod's `metrics` port). */
export const RCLONE_METRICS_PORT = 5572;

/**
 * Flags of every rclone transfer: compare by checksum, list in one call per bucket, log
 * progress. (Metrics come from RCLONE_METRICS_ADDR in the pod's env.)
 */
export const TRANSFER_FLAGS = [
  "--checksum",
  "--fast-list",
  "--transfers",
  "16",
  "--stats-one-line",
  "--stats",
  "60s",
  "-v",
];

/** Registry uploads in flight (`<repo>/_uploads/<id>/...`): never complete objects, never copied. */
export const EXCLUDE_UPLOADS = ["--exclude", "**/_uploads/**"];

/** Shell-quotes one word for /bin/sh. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** One rclone command line, each word quoted. */
export function rcloneLine(args: readonly string[]): string {
  return ["rclone", ...args].map(shq).join(" ");
}

/**
 * First line of every rclone script: rclone's --ca-cert (RCLONE_CA_CERT) replaces the system
 * roots, so the system roots and MinIO's CA are joined into one bundle. Paths come from the
 * pod's env, so the same script runs outside the pod (the tests run it against local folders).
 */
export const CA_BUNDLE_STEP = 'cat "$SYSTEM_CA_FILE" "$MINIO_CA_FILE" > "$RCLONE_CA_CERT"';

/** A /bin/sh script: build the CA bundle, then run each rclone command; the first failure fails the pod. */
export function rcloneScript(commands: readonly (readonly string[])[]): string {
  return ["set -eu", CA_BUNDLE_STEP, ...commands.map(rcloneLine)].join("\n");
}

/** Path of a MinIO bucket's copy inside the DR bucket. */
export function drPath(drBucket: string, prefix: string, minioBucket: string): string {
  return `${drBucket}/${prefix}/${minioBucket}`;
}

/** Restricted Pod Security: non-root, no privilege escalation, no capabilities, read-only root. */
export const RESTRICTED_POD: PodSpec["securityContext"] = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};

export const RESTRICTED_CONTAINER: Container["securityContext"] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

/**
 * The pod of a mirror or refill run: one rclone container (`image`, the pinned rclone from the
 * stack's image source), its remotes, CA and scratch space. With a proxy, only the DR remote's calls go through it: rclone's own `--http-proxy` would bind
 * every remote (rclone v1.75.0 fs/fshttp/http.go), so the pod gets the environment Go's
 * ProxyFromEnvironment reads instead, whose NO_PROXY lists `.svc`: the MinIO remote's host.
 */
export function rclonePod(
  name: string,
  script: string,
  minio: MinioRemote,
  dr: DrRemote,
  image: string,
  proxy?: ProxyConfig,
): PodSpec {
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    securityContext: RESTRICTED_POD,
    containers: [
      {
        name,
        image,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "-c", script],
        ports: [{ name: "metrics", containerPort: RCLONE_METRICS_PORT }],
        env: [
          { name: "HOME", value: "/tmp" },
          { name: "RCLONE_CONFIG", value: "/tmp/rclone.conf" },
          { name: "RCLONE_CACHE_DIR", value: "/tmp/cache" },
          // rclone reads any option from RCLONE_<OPTION> (docs: "Environment Variables").
          { name: "RCLONE_CA_CERT", value: CA_BUNDLE },
          { name: "RCLONE_METRICS_ADDR", value: `:${RCLONE_METRICS_PORT}` },
          { name: "SYSTEM_CA_FILE", value: "/etc/ssl/certs/ca-certificates.crt" },
          { name: "MINIO_CA_FILE", value: `${CA_DIR}/ca.crt` },
          ...minioRemoteEnv(minio),
          ...drRemoteEnv(dr),
          ...(proxy ? goProxyEnv(proxy) : []),
        ],
        resources: {
          requests: { cpu: "100m", memory: "256Mi" },
          limits: { cpu: "2", memory: "1Gi" },
        },
        securityContext: RESTRICTED_CONTAINER,
        volumeMounts: [
          { name: "minio-ca", mountPath: CA_DIR, readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      {
        name: "minio-ca",
        secret: { secretName: minio.caSecretName, items: [{ key: minio.caKey, path: "ca.crt" }] },
      },
      { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    ],
  };
}
