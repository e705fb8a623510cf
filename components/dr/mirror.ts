// MinIO -> AWS S3 mirror. MinIO's bucket replication only targets MinIO, so a CronJob runs
// `rclone sync` per bucket into the DR bucket's mirror/ prefix; its schedule bounds the RPO.
// Last success: CronJob `.status.lastSuccessfulTime`, exported by kube-state-metrics as
// `kube_cronjob_status_last_successful_time` (alert on time() minus it > RPO).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { DeleteApproval, DrConfig, RestoreSource } from "../../config/dr";
import { DR_PREFIXES, type DrWriterArgs } from "./policies";
import {
  CA_BUNDLE_STEP,
  EXCLUDE_UPLOADS,
  TRANSFER_FLAGS,
  drPath,
  rcloneLine,
  rclonePod,
  shq,
  type MinioRemote,
  type S3CredentialsRef,
} from "./rclone";
import { refillJobSpec } from "./restore";
import { ConfigError } from "../../config/validate";
import { images } from "../../versions";
import type { Sources } from "../mirror";
import type { ProxyConfig } from "../../config";

/** The MinIO buckets that hold data; the backups bucket (WAL) is mirrored first. */
export interface MirrorBuckets {
  /** WAL and base backups of the database. */
  readonly backups: string;
  /** Registry blobs. */
  readonly registry: string;
}

/** Bounds on what one run may delete from one bucket's DR copy (MirrorConfig). */
export interface DeleteBounds {
  readonly maxDelete: number;
  readonly maxDeletePercent: number;
  readonly alwaysAllowDeletes: number;
  readonly approveDeletes?: DeleteApproval;
}

/** `bucket`, `region`, `kmsKeyArn` of the DR bucket; the keys are DrBucket.mirrorCredentials. */
export interface DrMirrorArgs extends DrWriterArgs {
  /** MinIO's namespace: the Job needs MinIO's credentials and CA Secrets, which live there. */
  readonly namespace: string;
  readonly minio: MinioRemote;
  readonly buckets: MirrorBuckets;
  readonly schedule: string;
  /** Longest gap between two runs (MirrorConfig.intervalMinutes). */
  readonly intervalMinutes: number;
  readonly deletes: DeleteBounds;
  /** Longest a run may take; the next run resumes where it stopped. Default 6 h. */
  readonly activeDeadlineSeconds?: number;
  /** When set, a refill Job first copies the DR copy back into MinIO, and the mirror waits for it. */
  readonly restoreFrom?: RestoreSource;
  /** The refill reads the DR copy as it was at this time (restore.mirrorVersionAt). */
  readonly refillVersionAt?: string;
  /**
   * MinIO credentials that may write the buckets, for the refill (the mirror's MinIO user only
   * reads). Required with `restoreFrom`.
   */
  readonly refillCredentials?: S3CredentialsRef;
  /**
   * The DR restore user's key (DrBucket.restoreCredentials): the refill reads the DR copy with
   * it, never with the mirror's key, so fencing or revoking the writers does not stop a restore.
   * Required with `restoreFrom`.
   */
  readonly restoreReader?: {
    readonly accessKeyId: pulumi.Input<string>;
    readonly secretAccessKey: pulumi.Input<string>;
  };
  /** MinIO's Namespace: the credentials Secret and the jobs live in it. */
  readonly namespaceReady?: pulumi.Resource[];
  /** What makes MinIO answer with its buckets and users (its Release): the jobs talk to it. */
  readonly minioReady?: pulumi.Resource[];
  readonly provider?: k8s.Provider;
  /** The corporate proxy the DR bucket's calls go through (MinIO's never). */
  readonly proxy?: ProxyConfig;
  /** Where the rclone image comes from. */
  readonly sources: Sources;
}

/**
 * The mirror's settings from the DR config: schedule, RPO gap, delete bounds, and in restore
 * mode the source (and point in time) to refill from with MinIO credentials that may write.
 */
export function mirrorSettings(
  dr: DrConfig,
  refillCredentials: S3CredentialsRef,
): Pick<
  DrMirrorArgs,
  "schedule" | "intervalMinutes" | "deletes" | "restoreFrom" | "refillVersionAt" | "refillCredentials"
> {
  const m = dr.mirror;
  const r = dr.restore;
  return {
    schedule: m.schedule,
    intervalMinutes: m.intervalMinutes,
    deletes: {
      maxDelete: m.maxDelete,
      maxDeletePercent: m.maxDeletePercent,
      alwaysAllowDeletes: m.alwaysAllowDeletes,
      ...(m.approveDeletes ? { approveDeletes: m.approveDeletes } : {}),
    },
    ...(r.enabled
      ? {
          restoreFrom: r.source,
          refillCredentials,
          ...(r.mirrorVersionAt ? { refillVersionAt: r.mirrorVersionAt } : {}),
        }
      : {}),
  };
}

const CREDENTIALS_SECRET = "dr-mirror-credentials";
const RESTORE_CREDENTIALS_SECRET = "dr-restore-credentials";
const CREDENTIAL_KEYS = { accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" };
const CONTAINER = "mirror";

/**
 * How a mirror run ends. `held`: some bucket would lose more than its bound, so that bucket was
 * not synced (the others were); the Job fails at once without a retry (podFailurePolicy) and
 * DrMirrorDeletesRefused fires. rclone's own codes are 1-9 (docs: "List of exit codes").
 */
export const MIRROR_EXIT = { ok: 0, failed: 1, held: 10 } as const;

/** What the dry run's classification returns: within the bound, over it, or failed. */
const DRY_RUN = { within: 0, failed: 1, over: 2 } as const;

/**
 * How rclone reports a run stopped by --max-delete: the error's text at both the Debian
 * rclone the tests run (1.60.1, fs/operations/operations.go DeleteFileWithBackupDir) and the
 * pinned image (1.75.0, fs/accounting/stats.go errMaxDelete), logged after ": " by
 * "Got fatal error on delete: %s" (fs/operations/operations.go, both tags).
 */
export const MAX_DELETE_ERROR = ": --max-delete threshold reached";

/**
 * Where a run records the approvals it used: on the DR remote (the pod's own disk is gone with
 * the pod), beside the buckets' copies, never inside one.
 */
export function approvalsPath(drBucket: string): string {
  return `dr:${drPath(drBucket, DR_PREFIXES.mirror, ".approvals")}`;
}

/** The name an approval is recorded under: bucket, lapse time and count identify it. */
export function approvalId(a: DeleteApproval): string {
  return `${a.bucket}.${a.until.replace(/[-:]/g, "")}.${a.count}`;
}

/** Buckets in mirror order: WAL first, so a held or failing registry never delays it. */
export function mirrorOrder(buckets: MirrorBuckets): string[] {
  return [buckets.backups, buckets.registry];
}

/**
 * The mirror's /bin/sh script. Per bucket, in order, independently (no `set -e`): count the
 * DR copy's objects, derive the delete bound, dry-run the sync against it (rclone counts
 * deletes under --dry-run and stops with exit 7 and MAX_DELETE_ERROR past --max-delete; exit 7
 * alone is any fatal error, a failure and not a hold), and sync only when the dry run passed, with the same bound as a cap should the source shrink in between. A bucket
 * above its bound is left untouched unless the one-shot approval covers it.
 */
export function mirrorScript(buckets: MirrorBuckets, drBucket: string, bounds: DeleteBounds): string {
  const order = mirrorOrder(buckets);
  if (bounds.approveDeletes && !order.includes(bounds.approveDeletes.bucket)) {
    throw new ConfigError(
      "dr.approveDeletes.bucket",
      bounds.approveDeletes.bucket,
      `one of the mirrored MinIO buckets: ${order.join(", ")}`,
    );
  }
  const flags = [...EXCLUDE_UPLOADS, ...TRANSFER_FLAGS];
  const sync = (dryRun: boolean, limit: string, source = "$2", dest = "$3") =>
    `${rcloneLine(["sync", ...(dryRun ? ["--dry-run"] : []), ...flags])} --max-delete "${limit}" "${source}" "${dest}"`;
  const a = bounds.approveDeletes;
  const approvals = approvalsPath(drBucket);
  const approved = a
    ? [
        "# approved BUCKET SOURCE DEST: the one-shot approval covers this bucket's pending deletes",
        "approved() {",
        `  [ "$1" = ${shq(a.bucket)} ] || return 1`,
        `  if [ "$now" -ge ${Math.floor(Date.parse(a.until) / 1000)} ]; then`,
        `    echo "dr-mirror: $1: the approval lapsed at ${a.until}"; return 1`,
        "  fi",
        `  used=$(${rcloneLine(["lsf", "--files-only", approvals])})`,
        "  case $? in 0) ;; 3) used= ;; *) return 2 ;; esac",
        `  if printf '%s\\n' "$used" | grep -qxF ${shq(approvalId(a))}; then`,
        `    echo "dr-mirror: $1: the approval ${approvalId(a)} was used already"; return 1`,
        "  fi",
        `  dryrun ${a.count} "$2" "$3"`,
        "  case $? in",
        "    0) ;;",
        `    ${DRY_RUN.over}) echo "dr-mirror: $1: more than ${a.count} deletes are pending, more than the approval covers"; return 1 ;;`,
        "    *) return 2 ;;",
        "  esac",
        `  ${rcloneLine(["touch", `${approvals}/${approvalId(a)}`])} || return 2`,
        `  echo "dr-mirror: $1: approval ${approvalId(a)} used"`,
        `  limit=${a.count}`,
        "}",
      ]
    : ["approved() { return 1; }"];
  const dryRun = [
    `# dryrun LIMIT SOURCE DEST: ${DRY_RUN.within} within LIMIT deletes, ${DRY_RUN.over} more pending, ${DRY_RUN.failed} failed.`,
    `# rclone exits 7 on every fatal error; only its max-delete error is a hold (${MAX_DELETE_ERROR}).`,
    "dryrun() {",
    `  dry=$(mktemp) || return ${DRY_RUN.failed}`,
    `  ${sync(true, "$1", "$2", "$3")} >"$dry" 2>&1`,
    "  rc=$?",
    '  cat "$dry"',
    `  grep -qF -e ${shq(MAX_DELETE_ERROR)} "$dry"`,
    "  over=$?",
    '  rm -f "$dry"',
    "  case $rc in",
    `    0) return ${DRY_RUN.within} ;;`,
    `    7) [ "$over" = 0 ] && return ${DRY_RUN.over} ;;`,
    "  esac",
    `  return ${DRY_RUN.failed}`,
    "}",
  ];
  return [
    "set -u",
    `${CA_BUNDLE_STEP} || exit ${MIRROR_EXIT.failed}`,
    "now=$(date -u +%s)",
    "held=0",
    "failed=0",
    ...dryRun,
    ...approved,
    `# mirror BUCKET SOURCE DEST: ${MIRROR_EXIT.ok} synced, ${MIRROR_EXIT.failed} failed, ${MIRROR_EXIT.held} held`,
    "mirror() {",
    `  size=$(${rcloneLine(["size", "--json", ...EXCLUDE_UPLOADS])} "$3")`,
    "  case $? in",
    `    0) count=$(printf '%s' "$size" | sed -n 's/.*"count":\\([0-9][0-9]*\\).*/\\1/p') ;;`,
    "    3) count=0 ;; # rclone: directory not found (a first run)",
    `    *) return ${MIRROR_EXIT.failed} ;;`,
    "  esac",
    `  [ -n "$count" ] || return ${MIRROR_EXIT.failed}`,
    `  limit=$((count * ${bounds.maxDeletePercent} / 100))`,
    `  [ "$limit" -ge ${bounds.alwaysAllowDeletes} ] || limit=${bounds.alwaysAllowDeletes}`,
    `  [ "$limit" -le ${bounds.maxDelete} ] || limit=${bounds.maxDelete}`,
    '  dryrun "$limit" "$2" "$3"',
    "  case $? in",
    `    ${DRY_RUN.within}) ;;`,
    `    ${DRY_RUN.over})`,
    '      approved "$@"',
    "      case $? in",
    "        0) ;;",
    "        1)",
    '          echo "dr-mirror: $1: HELD: the sync would delete more than $limit of the $count objects in $3; nothing was synced (see the DrMirrorDeletesRefused runbook)"',
    `          return ${MIRROR_EXIT.held} ;;`,
    `        *) return ${MIRROR_EXIT.failed} ;;`,
    "      esac ;;",
    "    *)",
    '      echo "dr-mirror: $1: the dry run failed; nothing was synced (see the DrMirrorJobFailed runbook)"',
    `      return ${MIRROR_EXIT.failed} ;;`,
    "  esac",
    `  ${sync(false, "$limit")} || return ${MIRROR_EXIT.failed}`,
    "}",
    ...order.flatMap((b) => [
      `mirror ${shq(b)} ${shq(`minio:${b}`)} ${shq(`dr:${drPath(drBucket, DR_PREFIXES.mirror, b)}`)}`,
      `case $? in ${MIRROR_EXIT.ok}) ;; ${MIRROR_EXIT.held}) held=1 ;; *) failed=1 ;; esac`,
    ]),
    `[ "$held" = 0 ] || exit ${MIRROR_EXIT.held}`,
    `[ "$failed" = 0 ] || exit ${MIRROR_EXIT.failed}`,
  ].join("\n");
}

export function mirrorCronJobSpec(
  args: Omit<
    DrMirrorArgs,
    | "provider"
    | "restoreFrom"
    | "refillVersionAt"
    | "refillCredentials"
    | "namespaceReady"
    | "minioReady"
    | "accessKeyId"
    | "secretAccessKey"
  >,
): k8s.types.input.batch.v1.CronJobSpec {
  const credentials = { ...CREDENTIAL_KEYS, secretName: CREDENTIALS_SECRET };
  const script = mirrorScript(args.buckets, args.bucket, args.deletes);
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
        // No retry inside a Job: the next scheduled run is the retry, and a Job that fails
        // carries the reason kube-state-metrics reports (a held run: PodFailurePolicy).
        backoffLimit: 0,
        podFailurePolicy: {
          rules: [
            {
              action: "FailJob",
              onExitCodes: { containerName: CONTAINER, operator: "In", values: [MIRROR_EXIT.held] },
            },
            // A drained node is not a failed run.
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          ],
        },
        activeDeadlineSeconds: args.activeDeadlineSeconds ?? 6 * 3600,
        template: {
          metadata: {
            labels: { "app.kubernetes.io/name": "dr-mirror", "app.kubernetes.io/part-of": "harbor-platform" },
          },
          spec: rclonePod(
            CONTAINER,
            script,
            args.minio,
            { bucket: args.bucket, region: args.region, credentials, kmsKeyArn: args.kmsKeyArn },
            args.sources.images.ref(images.rclone),
            args.proxy,
          ),
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

    const awsKeySecret = (
      suffix: string,
      secretName: string,
      key: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> },
    ) =>
      new k8s.core.v1.Secret(
        `${name}-${suffix}`,
        {
          metadata: { name: secretName, namespace: args.namespace },
          type: "Opaque",
          stringData: {
            AWS_ACCESS_KEY_ID: pulumi.secret(key.accessKeyId),
            AWS_SECRET_ACCESS_KEY: pulumi.secret(key.secretAccessKey),
          },
        },
        { ...childOpts, dependsOn: args.namespaceReady ?? [] },
      );
    const secret = awsKeySecret("credentials", CREDENTIALS_SECRET, args);
    const jobWaits = [...(args.namespaceReady ?? []), ...(args.minioReady ?? [])];

    const deadline = args.activeDeadlineSeconds ?? 6 * 3600;
    if (args.restoreFrom) {
      if (!args.refillCredentials || !args.restoreReader) {
        throw new Error(
          "DrMirror: restoreFrom needs refillCredentials (a MinIO user that may write) and restoreReader (the DR restore user)",
        );
      }
      const reader = awsKeySecret("restore-credentials", RESTORE_CREDENTIALS_SECRET, args.restoreReader);
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
            buckets: mirrorOrder(args.buckets),
            minio: { ...args.minio, credentials: args.refillCredentials },
            source: {
              bucket: args.restoreFrom.bucket,
              region: args.restoreFrom.region,
              credentials: { ...CREDENTIAL_KEYS, secretName: reader.metadata.name },
              ...(args.refillVersionAt ? { versionAt: args.refillVersionAt } : {}),
            },
            activeDeadlineSeconds: refillDeadline,
            image: args.sources.images.ref(images.rclone),
            ...(args.proxy ? { proxy: args.proxy } : {}),
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
