// Restore drills, run on a schedule inside the cluster:
// - database: a CronJob restores the latest base backup plus WAL from the archive into a scratch
//   CloudNativePG Cluster in its own namespace (its own ObjectStore with read-only credentials,
//   no WAL archiver: it never writes to the archive), checks Harbor's tables, then removes it.
// - blobs: a CronJob compares a random sample of MinIO's registry blobs with their DR copy, byte
//   for byte (`rclone check --download`; SSE-KMS ETags are no checksums).
// The result of a run is its Job's: kube-state-metrics exports `kube_job_status_failed`,
// `kube_job_owner`, `kube_job_created` and the CronJobs' `kube_cronjob_status_last_successful_time`,
// which the alerts in components/monitoring/rules.ts read.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { images } from "../../versions";
import type { Sources } from "../mirror";
import type { ProxyConfig } from "../../config";
import { caBundleSecret, opaqueSecret } from "../k8s";
import { BACKUP_KEYS, CLUSTER_LABEL, DATABASE_NAME, OWNER } from "../database";
import { BARMAN_PLUGIN, RECOVERY_SOURCE } from "./restore";
import { DR_PREFIXES } from "./policies";
import {
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  drPath,
  rclonePod,
  type DrRemote,
  type MinioRemote,
} from "./rclone";

export const DRILL_CLUSTER = "drill-pg";
export const DRILL_OBJECT_STORE = "drill-archive";
export const DB_DRILL = "dr-restore-drill";
export const BLOB_DRILL = "dr-blob-drill";
/** Pod labels of the drills' runs (NetworkPolicies select them). */
export const DB_DRILL_PODS = { "app.kubernetes.io/name": DB_DRILL } as const;
export const BLOB_DRILL_PODS = { "app.kubernetes.io/name": BLOB_DRILL } as const;
/** The label CloudNativePG sets on every pod of the scratch cluster (instances, recovery job). */
export const SCRATCH_PODS = { [CLUSTER_LABEL]: DRILL_CLUSTER } as const;
const CREDENTIALS_SECRET = "drill-archive-credentials";
const BLOB_DRILL_CREDENTIALS = {
  secretName: "dr-blob-drill-credentials",
  accessKeyIdKey: "AWS_ACCESS_KEY_ID",
  secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY",
} as const;
const CA_SECRET = "drill-archive-ca";
const MANIFESTS_DIR = "/drill";
const MANIFESTS_FILE = `${MANIFESTS_DIR}/scratch.json`;

/**
 * The checks on the restored database, one psql command: Harbor's schema is complete and not
 * left mid-migration, the admin and at least one project exist, no artifact points to a missing
 * repository, and the btree indexes of those tables pass amcheck (corruption a restore can
 * carry). Any failure raises, so psql exits non-zero. Table and column names from goharbor/harbor
 * make/migrations/postgresql (0001_initial_schema, 0030_2.0.0_schema).
 */
export function drillSql(minSchemaVersion: number): string {
  return `CREATE EXTENSION IF NOT EXISTS amcheck;
DO $drill$
DECLARE
  v bigint; is_dirty boolean; migrations bigint; projects bigint; repositories bigint;
  artifacts bigint; orphans bigint; admins bigint; idx regclass; checked int := 0;
BEGIN
  SELECT count(*), max(version), bool_or(dirty) INTO migrations, v, is_dirty FROM schema_migrations;
  IF migrations <> 1 THEN RAISE EXCEPTION 'schema_migrations has % rows, expected 1', migrations; END IF;
  IF is_dirty THEN RAISE EXCEPTION 'schema_migrations version % is dirty: a migration was cut off', v; END IF;
  IF v < ${minSchemaVersion} THEN
    RAISE EXCEPTION 'schema version % is older than % (the pinned Harbor): the backup predates the upgrade', v, ${minSchemaVersion};
  END IF;
  SELECT count(*) INTO admins FROM harbor_user WHERE user_id = 1 AND username = 'admin';
  IF admins <> 1 THEN RAISE EXCEPTION 'the admin user is missing'; END IF;
  SELECT count(*) INTO projects FROM project WHERE NOT deleted;
  IF projects = 0 THEN RAISE EXCEPTION 'no project'; END IF;
  SELECT count(*) INTO repositories FROM repository;
  SELECT count(*) INTO artifacts FROM artifact;
  SELECT count(*) INTO orphans FROM artifact a
    WHERE a.repository_id > 0 AND NOT EXISTS (SELECT 1 FROM repository r WHERE r.repository_id = a.repository_id);
  IF orphans > 0 THEN RAISE EXCEPTION '% artifacts point to a missing repository', orphans; END IF;
  FOR idx IN
    SELECT i.indexrelid::regclass FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
      WHERE am.amname = 'btree' AND i.indrelid IN
        ('schema_migrations'::regclass, 'harbor_user'::regclass, 'project'::regclass,
         'repository'::regclass, 'artifact'::regclass)
  LOOP
    PERFORM bt_index_check(idx, true);
    checked := checked + 1;
  END LOOP;
  RAISE NOTICE 'restore drill: schema %, % projects, % repositories, % artifacts, % btree indexes intact',
    v, projects, repositories, artifacts, checked;
END
$drill$;`;
}

export interface ArchiveSource {
  /** S3 endpoint of the object store holding the archive (in-cluster MinIO). */
  readonly endpointUrl: string;
  readonly bucket: string;
  /** barman-cloud server name the production cluster archives under. */
  readonly serverName: string;
}

/** The scratch ObjectStore: the archive, read with read-only keys; no retention (it never writes). */
export function scratchObjectStore(namespace: string, archive: ArchiveSource): Record<string, unknown> {
  return {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: { name: DRILL_OBJECT_STORE, namespace },
    spec: {
      configuration: {
        destinationPath: `s3://${archive.bucket}/`,
        endpointURL: archive.endpointUrl,
        endpointCA: { name: CA_SECRET, key: "ca.crt" },
        s3Credentials: {
          accessKeyId: { name: CREDENTIALS_SECRET, key: BACKUP_KEYS.accessKey },
          secretAccessKey: { name: CREDENTIALS_SECRET, key: BACKUP_KEYS.secretKey },
        },
        wal: { maxParallel: 4 },
      },
    },
  };
}

export interface ScratchClusterArgs {
  readonly namespace: string;
  readonly archive: ArchiveSource;
  readonly storageClass: string;
  readonly size: string;
  /** PostgreSQL image: production's pin, or the restore fails across majors. */
  readonly imageName: string;
}

/**
 * One instance, recovered from the archive to its end; no `plugins` (the scratch cluster must
 * not archive, least of all into production's archive), no backups, no PDB.
 */
export function scratchCluster(a: ScratchClusterArgs): Record<string, unknown> {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: DRILL_CLUSTER, namespace: a.namespace },
    spec: {
      instances: 1,
      imageName: a.imageName,
      enablePDB: false,
      storage: { storageClass: a.storageClass, size: a.size },
      bootstrap: { recovery: { source: RECOVERY_SOURCE, database: DATABASE_NAME, owner: OWNER } },
      externalClusters: [
        {
          name: RECOVERY_SOURCE,
          plugin: {
            name: BARMAN_PLUGIN,
            parameters: { barmanObjectName: DRILL_OBJECT_STORE, serverName: a.archive.serverName },
          },
        },
      ],
    },
  };
}

/** What the drill's ServiceAccount may do, in the drill's namespace only. */
export function drillRoleRules(): k8s.types.input.rbac.v1.PolicyRule[] {
  const instance = `${DRILL_CLUSTER}-1`;
  return [
    {
      apiGroups: ["postgresql.cnpg.io"],
      resources: ["clusters"],
      verbs: ["get", "list", "watch", "create", "patch", "delete"],
    },
    {
      apiGroups: ["barmancloud.cnpg.io"],
      resources: ["objectstores"],
      verbs: ["get", "list", "watch", "create", "patch", "delete"],
    },
    // psql runs inside the restored instance (peer authentication as postgres): no password.
    { apiGroups: [""], resources: ["pods"], resourceNames: [instance], verbs: ["get"] },
    { apiGroups: [""], resources: ["pods/exec"], resourceNames: [instance], verbs: ["create"] },
  ];
}

/**
 * The drill's steps, in order; each is one kubectl command (the image has no shell). The last
 * runs only when every earlier one succeeded: a failed drill leaves the scratch cluster for
 * inspection, and the next run removes it first.
 */
export function drillSteps(
  minSchemaVersion: number,
  readyTimeoutSeconds: number,
): { name: string; args: string[] }[] {
  return [
    {
      name: "remove-leftovers",
      args: ["delete", "--ignore-not-found", "--wait", "--timeout=15m", "-f", MANIFESTS_FILE],
    },
    { name: "create-scratch", args: ["apply", "-f", MANIFESTS_FILE] },
    {
      name: "wait-restored",
      args: [
        "wait",
        `cluster/${DRILL_CLUSTER}`,
        "--for=condition=Ready",
        `--timeout=${readyTimeoutSeconds}s`,
      ],
    },
    {
      name: "check-harbor-tables",
      args: [
        "exec",
        `${DRILL_CLUSTER}-1`,
        "-c",
        "postgres",
        "--",
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        DATABASE_NAME,
        "-c",
        drillSql(minSchemaVersion),
      ],
    },
    { name: "remove-scratch", args: ["delete", "--wait", "--timeout=15m", "-f", MANIFESTS_FILE] },
  ];
}

export function dbDrillCronJobSpec(a: {
  readonly schedule: string;
  readonly serviceAccount: string;
  readonly manifestsConfigMap: string;
  readonly minSchemaVersion: number;
  readonly activeDeadlineSeconds: number;
  /** The kubectl image reference. */
  readonly image: string;
}): k8s.types.input.batch.v1.CronJobSpec {
  const steps = drillSteps(a.minSchemaVersion, a.activeDeadlineSeconds - 30 * 60);
  const container = (s: { name: string; args: string[] }): k8s.types.input.core.v1.Container => ({
    name: s.name,
    image: a.image,
    imagePullPolicy: "IfNotPresent",
    command: ["kubectl"],
    args: s.args,
    env: [{ name: "HOME", value: "/tmp" }],
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    securityContext: RESTRICTED_CONTAINER,
    volumeMounts: [
      { name: "manifests", mountPath: MANIFESTS_DIR, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ],
  });
  return drillCronJobSpec(a.schedule, a.activeDeadlineSeconds, DB_DRILL_PODS, {
    restartPolicy: "Never",
    serviceAccountName: a.serviceAccount,
    securityContext: RESTRICTED_POD,
    initContainers: steps.slice(0, -1).map(container),
    containers: [container(steps[steps.length - 1])],
    volumes: [
      { name: "manifests", configMap: { name: a.manifestsConfigMap } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ],
  });
}

/**
 * A drill's CronJob: never two runs at once, one attempt per run (a retry would hide a failed
 * restore behind a later success), the last run of each outcome kept for inspection.
 */
export function drillCronJobSpec(
  schedule: string,
  activeDeadlineSeconds: number,
  podLabels: Readonly<Record<string, string>>,
  pod: k8s.types.input.core.v1.PodSpec,
): k8s.types.input.batch.v1.CronJobSpec {
  return {
    schedule,
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 1,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds,
        template: {
          metadata: { labels: { ...podLabels, "app.kubernetes.io/part-of": "harbor-platform" } },
          spec: pod,
        },
      },
    },
  };
}

export interface BlobDrillArgs {
  readonly registryBucket: string;
  readonly drBucket: string;
  /** How many blobs each run compares. */
  readonly sample: number;
  /** Only blobs older than this: younger ones may not be mirrored yet. */
  readonly minAgeMinutes: number;
}

/**
 * /bin/sh script of the blob drill: list MinIO's registry blobs old enough to be mirrored, pick
 * `sample` at random, compare each with its DR copy byte for byte; fail on any difference, any
 * blob missing from the copy, any read error. An empty registry passes: there is nothing to lose.
 */
export function blobDrillScript(a: BlobDrillArgs): string {
  const src = `minio:${a.registryBucket}`;
  const dst = `dr:${drPath(a.drBucket, DR_PREFIXES.mirror, a.registryBucket)}`;
  return [
    "set -eu",
    `src=${src}`,
    `dst=${dst}`,
    // Its own scratch folder: never another run's lists (a shared /tmp on a node or a CI host).
    "w=$(mktemp -d)",
    `rclone lsf -R --files-only --min-age ${a.minAgeMinutes}m --include '/docker/registry/v2/blobs/**' "$src" > $w/blobs`,
    "total=$(wc -l < $w/blobs)",
    `if [ "$total" -eq 0 ]; then echo "blob drill: no blob older than ${a.minAgeMinutes}m in $src"; exit 0; fi`,
    `awk 'BEGIN { srand() } { print rand() "\\t" $0 }' $w/blobs | sort -n | head -n ${a.sample} | cut -f2- > $w/sample`,
    ": > $w/differ; : > $w/missing; : > $w/errors",
    "rc=0",
    'rclone check "$src" "$dst" --files-from $w/sample --one-way --download --differ $w/differ --missing-on-dst $w/missing --error $w/errors || rc=$?',
    "d=$(wc -l < $w/differ); m=$(wc -l < $w/missing); e=$(wc -l < $w/errors)",
    'echo "blob drill: compared $(wc -l < $w/sample) of $total blobs: $d differ, $m missing from the DR copy, $e unreadable (rclone exit $rc)"',
    "cat $w/differ $w/missing $w/errors",
    '[ "$d" -eq 0 ] && [ "$m" -eq 0 ] && [ "$e" -eq 0 ] && [ "$rc" -eq 0 ]',
  ].join("\n");
}

export interface RestoreDrillArgs {
  readonly schedule: string;
  /** The drill's own namespace (scratch cluster, its ObjectStore, the drill Job). */
  readonly namespace: string;
  readonly archive: ArchiveSource;
  /** Read-only keys of the archive's bucket. */
  readonly archiveCredentials: {
    readonly accessKey: pulumi.Input<string>;
    readonly secretKey: pulumi.Input<string>;
  };
  readonly caPem: pulumi.Input<string>;
  readonly storageClass: string;
  readonly size: string;
  readonly minSchemaVersion: number;
  readonly activeDeadlineSeconds: number;
  /** The blob drill runs beside the mirror, in MinIO's namespace, reading MinIO as the mirror does. */
  readonly blobs: BlobDrillArgs & {
    readonly namespace: string;
    readonly minio: MinioRemote;
    /** Region of the DR bucket and AWS keys that may read it (the drill only reads). */
    readonly region: string;
    readonly accessKeyId: pulumi.Input<string>;
    readonly secretAccessKey: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
    /** The corporate proxy the DR bucket's reads go through. */
    readonly proxy?: ProxyConfig;
  };
  /** The drill's namespace. */
  readonly dependsOn: pulumi.Resource[];
  readonly provider?: k8s.Provider;
  /** Where the kubectl, rclone and PostgreSQL images come from. */
  readonly sources: Sources;
}

export class RestoreDrill extends pulumi.ComponentResource {
  readonly dbCronJob: k8s.batch.v1.CronJob;
  readonly blobCronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: RestoreDrillArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:dr:RestoreDrill", name, {}, opts);
    const ns = args.namespace;
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
    // Read by the scratch ObjectStore each run creates.
    opaqueSecret(
      `${name}-archive-credentials`,
      {
        name: CREDENTIALS_SECRET,
        namespace: ns,
        data: {
          [BACKUP_KEYS.accessKey]: args.archiveCredentials.accessKey,
          [BACKUP_KEYS.secretKey]: args.archiveCredentials.secretKey,
        },
      },
      o,
    );
    caBundleSecret(`${name}-archive-ca`, { name: CA_SECRET, namespace: ns, caPem: args.caPem }, o);
    const manifests = new k8s.core.v1.ConfigMap(
      `${name}-manifests`,
      {
        metadata: { name: DB_DRILL, namespace: ns },
        data: {
          "scratch.json": JSON.stringify({
            apiVersion: "v1",
            kind: "List",
            items: [
              scratchObjectStore(ns, args.archive),
              scratchCluster({
                namespace: ns,
                archive: args.archive,
                storageClass: args.storageClass,
                size: args.size,
                imageName: args.sources.images.ref(images.postgresql),
              }),
            ],
          }),
        },
      },
      o,
    );
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: DB_DRILL, namespace: ns } },
      o,
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-role`,
      { metadata: { name: DB_DRILL, namespace: ns }, rules: drillRoleRules() },
      o,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata: { name: DB_DRILL, namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: DB_DRILL },
        subjects: [{ kind: "ServiceAccount", name: DB_DRILL, namespace: ns }],
      },
      { ...o, dependsOn: [...args.dependsOn, sa, role] },
    );
    this.dbCronJob = new k8s.batch.v1.CronJob(
      `${name}-database`,
      {
        metadata: { name: DB_DRILL, namespace: ns },
        spec: dbDrillCronJobSpec({
          schedule: args.schedule,
          serviceAccount: DB_DRILL,
          manifestsConfigMap: DB_DRILL,
          minSchemaVersion: args.minSchemaVersion,
          activeDeadlineSeconds: args.activeDeadlineSeconds,
          image: args.sources.images.ref(images.kubectl),
        }),
      },
      // The Secrets are read by the scratch resources a run creates, not by the CronJob.
      { ...o, dependsOn: [...args.dependsOn, manifests, binding] },
    );

    const b = args.blobs;
    const blobOpts = { parent: this, provider: args.provider, dependsOn: b.dependsOn };
    const drKeys = opaqueSecret(
      `${name}-blob-dr-credentials`,
      {
        name: BLOB_DRILL_CREDENTIALS.secretName,
        namespace: b.namespace,
        data: {
          [BLOB_DRILL_CREDENTIALS.accessKeyIdKey]: b.accessKeyId,
          [BLOB_DRILL_CREDENTIALS.secretAccessKeyKey]: b.secretAccessKey,
        },
      },
      blobOpts,
    );
    const dr: DrRemote = { bucket: b.drBucket, region: b.region, credentials: BLOB_DRILL_CREDENTIALS };
    const pod = rclonePod(
      "blob-drill",
      blobDrillScriptInPod(b),
      b.minio,
      dr,
      args.sources.images.ref(images.rclone),
      b.proxy,
    );
    this.blobCronJob = new k8s.batch.v1.CronJob(
      `${name}-blobs`,
      {
        metadata: { name: BLOB_DRILL, namespace: b.namespace },
        spec: drillCronJobSpec(args.schedule, args.activeDeadlineSeconds, BLOB_DRILL_PODS, pod),
      },
      { ...blobOpts, dependsOn: [...b.dependsOn, drKeys] },
    );
    this.registerOutputs({ database: DB_DRILL, blobs: BLOB_DRILL });
  }
}

/** The blob drill's script as its pod runs it: first the CA bundle rclone trusts (MinIO's CA and the system roots). */
export function blobDrillScriptInPod(a: BlobDrillArgs): string {
  const [first, ...rest] = blobDrillScript(a).split("\n");
  return [
    first,
    "cat /etc/ssl/certs/ca-certificates.crt /etc/minio-ca/ca.crt > /tmp/ca-bundle.pem",
    "export RCLONE_CA_CERT=/tmp/ca-bundle.pem",
    ...rest,
  ].join("\n");
}
