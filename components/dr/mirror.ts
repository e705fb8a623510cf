// MinIO -> AWS S3 mirror. MinIO's bucket replication only targets MinIO, so a CronJob runs
// `rclone sync` per bucket into the DR bucket's mirror/ prefix; its schedule bounds the RPO.
// Last success: CronJob `.status.lastSuccessfulTime`, exported by kube-state-metrics as
// `kube_cronjob_status_last_successful_time` (alert on time() minus it > RPO).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { DrConfig, RestoreSource } from "../../config/dr";
import { DR_PREFIXES, type DrWriterArgs } from "./policies";
import {
  TRANSFER_FLAGS,
  drPath,
  rcloneScript,
  rclonePod,
  type MinioRemote,
  type S3CredentialsRef,
} from "./rclone";
import { refillJobSpec } from "./restore";

/** `bucket`, `region`, `kmsKeyArn` of the DR bucket; the keys are DrBucket.mirrorCredentials. */
export interface DrMirrorArgs extends DrWriterArgs {
  /** MinIO's namespace: the Job needs MinIO's credentials and CA Secrets, which live there. */
  readonly namespace: string;
  readonly minio: MinioRemote;
  /** Every MinIO bucket that holds data (registry blobs, WAL and base backups). */
  readonly buckets: readonly string[];
  readonly schedule: string;
  /** Longest gap between two runs (MirrorConfig.intervalMinutes). */
  readonly intervalMinutes: number;
  readonly maxDelete: number;
  /** Longest a run may take; the next run resumes where it stopped. Default 6 h. */
  readonly activeDeadlineSeconds?: number;
  /** When set, a refill Job first copies the DR copy back into MinIO, and the mirror waits for it. */
  readonly restoreFrom?: RestoreSource;
  /**
   * MinIO credentials that may write the buckets, for the refill (the mirror's MinIO user only
   * reads). Required with `restoreFrom`.
   */
  readonly refillCredentials?: S3CredentialsRef;
  /** MinIO's Namespace: the credentials Secret and the jobs live in it. */
  readonly namespaceReady?: pulumi.Resource[];
  /** What makes MinIO answer with its buckets and users (its Release): the jobs talk to it. */
  readonly minioReady?: pulumi.Resource[];
  readonly provider?: k8s.Provider;
}

/**
 * The mirror's settings from the DR config: schedule, RPO gap, delete bound, and in restore
 * mode the source to refill from with MinIO credentials that may write.
 */
export function mirrorSettings(
  dr: DrConfig,
  refillCredentials: S3CredentialsRef,
): Pick<DrMirrorArgs, "schedule" | "intervalMinutes" | "maxDelete" | "restoreFrom" | "refillCredentials"> {
  return {
    schedule: dr.mirror.schedule,
    intervalMinutes: dr.mirror.intervalMinutes,
    maxDelete: dr.mirror.maxDelete,
    ...(dr.restore.enabled ? { restoreFrom: dr.restore.source, refillCredentials } : {}),
  };
}

const CREDENTIALS_SECRET = "dr-mirror-credentials";
const CREDENTIAL_KEYS = { accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" };

export function mirrorCommands(buckets: readonly string[], drBucket: string, maxDelete: number): string[][] {
  return buckets.map((b) => [
    "sync",
    `minio:${b}`,
    `dr:${drPath(drBucket, DR_PREFIXES.mirror, b)}`,
    "--max-delete",
    String(maxDelete),
    ...TRANSFER_FLAGS,
  ]);
}

export function mirrorCronJobSpec(
  args: Omit<
    DrMirrorArgs,
    | "provider"
    | "restoreFrom"
    | "refillCredentials"
    | "namespaceReady"
    | "minioReady"
    | "accessKeyId"
    | "secretAccessKey"
  >,
): k8s.types.input.batch.v1.CronJobSpec {
  const credentials = { ...CREDENTIAL_KEYS, secretName: CREDENTIALS_SECRET };
  const script = rcloneScript(mirrorCommands(args.buckets, args.bucket, args.maxDelete));
  return {
    schedule: args.schedule,
    timeZone: "Etc/UTC",
    // Two syncs of the same bucket at once would race on deletes; a long run delays the next.
    concurrencyPolicy: "Forbid",
    // A run missed by up to one interval (controller restart) still starts.
    startingDeadlineSeconds: args.intervalMinutes * 60,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    jobTemplate: {
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: args.activeDeadlineSeconds ?? 6 * 3600,
        template: {
          metadata: {
            labels: { "app.kubernetes.io/name": "dr-mirror", "app.kubernetes.io/part-of": "harbor-platform" },
          },
          spec: rclonePod("mirror", script, args.minio, {
            bucket: args.bucket,
            region: args.region,
            credentials,
            kmsKeyArn: args.kmsKeyArn,
          }),
        },
      },
    },
  };
}

export class DrMirror extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;
  /** Present in restore mode: Harbor and the CNPG Cluster must dependOn it. */
  readonly refillJob?: k8s.batch.v1.Job;

  constructor(name: string, args: DrMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:dr:DrMirror", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };

    const secret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: CREDENTIALS_SECRET, namespace: args.namespace },
        type: "Opaque",
        stringData: {
          AWS_ACCESS_KEY_ID: pulumi.secret(args.accessKeyId),
          AWS_SECRET_ACCESS_KEY: pulumi.secret(args.secretAccessKey),
        },
      },
      { ...childOpts, dependsOn: args.namespaceReady ?? [] },
    );
    const credentials = { ...CREDENTIAL_KEYS, secretName: secret.metadata.name };
    const jobWaits = [...(args.namespaceReady ?? []), ...(args.minioReady ?? [])];

    const deadline = args.activeDeadlineSeconds ?? 6 * 3600;
    if (args.restoreFrom) {
      if (!args.refillCredentials) {
        throw new Error("DrMirror: restoreFrom needs refillCredentials (a MinIO user that may write)");
      }
      const refillDeadline = 4 * deadline;
      this.refillJob = new k8s.batch.v1.Job(
        `${name}-refill`,
        {
          metadata: {
            name: "dr-refill",
            namespace: args.namespace,
            // Pulumi waits for the Job to complete; a full refill of large buckets takes hours.
            annotations: { "pulumi.com/timeoutSeconds": String(refillDeadline) },
          },
          spec: refillJobSpec({
            buckets: args.buckets,
            minio: { ...args.minio, credentials: args.refillCredentials },
            source: { bucket: args.restoreFrom.bucket, region: args.restoreFrom.region, credentials },
            activeDeadlineSeconds: refillDeadline,
          }),
        },
        { ...childOpts, dependsOn: jobWaits },
      );
    }

    this.cronJob = new k8s.batch.v1.CronJob(
      name,
      { metadata: { name: "dr-mirror", namespace: args.namespace }, spec: mirrorCronJobSpec(args) },
      // After a restore, syncing a half-refilled MinIO would delete from the DR copy: wait.
      { ...childOpts, dependsOn: [secret, ...jobWaits, ...(this.refillJob ? [this.refillJob] : [])] },
    );
    this.registerOutputs({ cronJob: this.cronJob.metadata.name });
  }
}
