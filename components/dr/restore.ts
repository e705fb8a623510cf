// The restore path, pure: how the CloudNativePG cluster bootstraps from the DR copy, and the
// Job that refills MinIO's buckets from the DR bucket before Harbor and the database start.
import type * as k8s from "@pulumi/kubernetes";
import type { ProxyConfig } from "../../config";
import type { RestoreConfig } from "../../config/dr";
import { DR_PREFIXES } from "./policies";
import {
  EXCLUDE_UPLOADS,
  TRANSFER_FLAGS,
  drPath,
  rcloneScript,
  rclonePod,
  type DrRemote,
  type MinioRemote,
} from "./rclone";

/** The barman-cloud plugin's name in `spec.plugins` and `externalClusters[].plugin`. */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
/** Name of the externalClusters entry that points at the archive to recover from. */
export const RECOVERY_SOURCE = "dr-origin";

type ClusterSpec = Record<string, unknown>;

export interface DatabaseIdentity {
  /** ObjectStore (barmancloud.cnpg.io/v1) the cluster archives to, in the cluster's namespace. */
  readonly objectStoreName: string;
  readonly database: string;
  readonly owner: string;
  /** basic-auth Secret with the owner's password: the same Secret as initdb, so Harbor's DB password survives. */
  readonly ownerSecretName?: string;
}

/** The WAL-archiver entry of `spec.plugins`; serverName set only when it differs from the Cluster's name. */
export function walArchiverPlugin(objectStoreName: string, serverName?: string): Record<string, unknown> {
  return {
    name: BARMAN_PLUGIN,
    isWALArchiver: true,
    parameters: { barmanObjectName: objectStoreName, ...(serverName ? { serverName } : {}) },
  };
}

/**
 * `bootstrap.recovery` plus its `externalClusters` entry: recover from the archive the lost
 * cluster wrote (same ObjectStore, refilled from the DR bucket, under the lost cluster's
 * serverName), to `targetTime` when given, else to the end of the archived WAL.
 */
export function recoveryBootstrap(
  db: DatabaseIdentity,
  restore: Extract<RestoreConfig, { enabled: true }>,
): { bootstrap: Record<string, unknown>; externalClusters: Record<string, unknown>[] } {
  return {
    bootstrap: {
      recovery: {
        source: RECOVERY_SOURCE,
        database: db.database,
        owner: db.owner,
        ...(db.ownerSecretName ? { secret: { name: db.ownerSecretName } } : {}),
        ...(restore.targetTime ? { recoveryTarget: { targetTime: restore.targetTime } } : {}),
      },
    },
    externalClusters: [
      {
        name: RECOVERY_SOURCE,
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: { barmanObjectName: db.objectStoreName, serverName: restore.source.serverName },
        },
      },
    ],
  };
}

/**
 * Applies the restore switch to a Cluster spec built by the data tier: the bootstrap becomes a
 * recovery, the recovery source is added, and the WAL archiver writes under a new serverName
 * (barman refuses to archive into the archive being recovered). Nothing else changes.
 */
export function applyRestore(spec: ClusterSpec, db: DatabaseIdentity, restore: RestoreConfig): ClusterSpec {
  if (!restore.enabled) return spec;
  const { bootstrap, externalClusters } = recoveryBootstrap(db, restore);
  const plugins = Array.isArray(spec.plugins) ? (spec.plugins as Record<string, unknown>[]) : [];
  const hasArchiver = plugins.some((p) => p.name === BARMAN_PLUGIN && p.isWALArchiver === true);
  return {
    ...spec,
    bootstrap,
    externalClusters: [
      ...(Array.isArray(spec.externalClusters) ? (spec.externalClusters as unknown[]) : []),
      ...externalClusters,
    ],
    plugins: hasArchiver
      ? plugins.map((p) =>
          p.name === BARMAN_PLUGIN && p.isWALArchiver === true
            ? walArchiverPlugin(db.objectStoreName, restore.archiveServerName)
            : p,
        )
      : [...plugins, walArchiverPlugin(db.objectStoreName, restore.archiveServerName)],
  };
}

export interface RefillArgs {
  readonly buckets: readonly string[];
  readonly minio: MinioRemote;
  /** The DR copy to read: bucket and region from `restore.source`, `versionAt` from `restore.mirrorVersionAt`. */
  readonly source: DrRemote;
  readonly activeDeadlineSeconds: number;
  /** The corporate proxy the DR bucket's reads go through. */
  readonly proxy?: ProxyConfig;
  /** The rclone image reference. */
  readonly image: string;
}

/** `rclone copy` (never sync: a refill must not delete) of each bucket's copy back into MinIO. */
export function refillCommands(buckets: readonly string[], sourceBucket: string): string[][] {
  return buckets.map((b) => [
    "copy",
    `dr:${drPath(sourceBucket, DR_PREFIXES.mirror, b)}`,
    `minio:${b}`,
    ...EXCLUDE_UPLOADS,
    ...TRANSFER_FLAGS,
  ]);
}

export function refillJobSpec(args: RefillArgs): k8s.types.input.batch.v1.JobSpec {
  const script = rcloneScript(refillCommands(args.buckets, args.source.bucket));
  return {
    backoffLimit: 3,
    activeDeadlineSeconds: args.activeDeadlineSeconds,
    template: {
      metadata: {
        labels: { "app.kubernetes.io/name": "dr-refill", "app.kubernetes.io/part-of": "harbor-platform" },
      },
      spec: rclonePod("refill", script, args.minio, args.source, args.image, args.proxy),
    },
  };
}
