// Pure builders of rclone's pod parts, shared by the mirror CronJob and the refill Job. Remotes
// come from environment variables only (no config file, no secret in a ConfigMap).
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { imageRef, images } from "../../versions";

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
      ...(remote.kmsKeyArn !== undefined ? { SSE_KMS_KEY_ID: remote.kmsKeyArn } : {}),
    },
    remote.credentials,
  );
}

/** rclone serves Prometheus metrics here while a transfer runs (the pod's `metrics` port). */
export const RCLONE_METRICS_PORT = 5572;

/**
 * Flags of every rclone transfer: compare by checksum, list in one call per bucket, log
 * progress, and expose transfer metrics for the run's duration.
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
  "--metrics-addr",
  `:${RCLONE_METRICS_PORT}`,
];

/** Shell-quotes one word for /bin/sh. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** A /bin/sh script: build the CA bundle, then run each rclone command; the first failure fails the pod. */
export function rcloneScript(commands: readonly (readonly string[])[]): string {
  return [
    "set -eu",
    `cat /etc/ssl/certs/ca-certificates.crt ${CA_DIR}/ca.crt > ${CA_BUNDLE}`,
    ...commands.map((c) => ["rclone", ...c, "--ca-cert", CA_BUNDLE].map(shq).join(" ")),
  ].join("\n");
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

/** The pod of a mirror or refill run: one rclone container, its remotes, CA and scratch space. */
export function rclonePod(name: string, script: string, minio: MinioRemote, dr: DrRemote): PodSpec {
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    securityContext: RESTRICTED_POD,
    containers: [
      {
        name,
        image: imageRef(images.rclone),
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "-c", script],
        ports: [{ name: "metrics", containerPort: RCLONE_METRICS_PORT }],
        env: [
          { name: "HOME", value: "/tmp" },
          { name: "RCLONE_CONFIG", value: "/tmp/rclone.conf" },
          { name: "RCLONE_CACHE_DIR", value: "/tmp/cache" },
          ...minioRemoteEnv(minio),
          ...drRemoteEnv(dr),
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
