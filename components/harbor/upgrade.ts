// Guarded Harbor upgrades. Harbor migrates its database schema when core starts and cannot go back
// (goharbor/website docs/administration/upgrade/helm-upgrade.md: "helm rollback is not
// supported"), so a change of the chart version runs, in dependency order:
//   1. the upgrade gate: a resource whose state holds the deployed chart version; its provider's
//      `check` sees that version beside the requested one and refuses a jump outside Harbor's
//      upgrade path (./upgrade-path.ts) in the preview, before anything changes; with no version
//      recorded it refuses any chart but the pin (the jump from the running Harbor is unknown);
//   2. a backup named after the target version: prod an on-demand CloudNativePG Backup, awaited
//      until `.status.phase` is `completed`; dev a pg_dump of the chart's database to a volume,
//      as a Job (awaited until complete). A new version is a new name, so Pulumi creates a new
//      backup before it updates the Release, which depends on it; the old one is kept
//      (retainOnDelete), never deleted by the program;
//   3. the Release (no atomic, no cleanupOnFail: a rollback would run old code on a migrated
//      schema; a timeout that covers core's startup probe, under which the migration runs);
//   4. after it and Harbor's configuration, a smoke-test Job, also named after the version,
//      whose failure fails the `up`.
// pulumi-kubernetes awaits a Job until its Complete condition and fails on Failed
// (provider/pkg/await/job.go, v4.32.0); custom resources only with `pulumi.com/waitFor`
// (CHANGELOG 4.18.0), which this program's pinned 4.34 provider reads.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { chartImages, charts, images, versionSlug, type ImagePin } from "../../versions";
import { RESTRICTED_CONTAINER } from "../dr/rclone";
import { providerLoader } from "../harbor-config/provider-module";
import type { ImageSource } from "../mirror";
import { CREDENTIAL_KEYS } from "./values";

/** The gate's provider, relative to the project folder (the dynamic-provider host's working directory). */
export const GATE_ENTRY = "./components/harbor/upgrade-gate.cjs";

/** The gate's `__provider`: loads GATE_ENTRY as the Harbor resources' loader loads theirs. */
export const GATE_LOADER = providerLoader(GATE_ENTRY, { title: "upgrade gate", label: "upgrade gate" });

export const GATE_TYPE = "pulumi-nodejs:dynamic/upgrade:HarborUpgradeGate";

/**
 * Holds the chart version Harbor is deployed with. Everything of an upgrade waits for it, so a
 * refused jump changes nothing; it records the new version as soon as the jump is allowed.
 */
export class HarborUpgradeGate extends pulumi.CustomResource {
  declare readonly chartVersion: pulumi.Output<string>;
  /** The version deployed before the last change ("" until the first change). */
  declare readonly previousChartVersion: pulumi.Output<string>;
  /**
   * Whether the last change of the chart version was an upgrade of a deployed Harbor (false on a
   * first install): then the pre-upgrade backup is awaited. Its output carries the gate as a
   * dependency, so whatever reads it waits for the gate's check.
   */
  readonly upgrading: pulumi.Output<boolean>;

  constructor(name: string, chartVersion: string, opts?: pulumi.CustomResourceOptions) {
    super(
      GATE_TYPE,
      name,
      {
        chartVersion,
        // With no deployed version in its state the gate cannot check a jump: only the pin passes.
        verifiedChartVersion: charts.harbor.version,
        __provider: GATE_LOADER,
        previousChartVersion: undefined,
      },
      opts,
    );
    this.upgrading = this.previousChartVersion.apply((v) => typeof v === "string" && v !== "");
  }
}

/**
 * How long Helm waits for Harbor: core's startup probe (harbor-helm 1.19.2 values.yaml
 * core.startupProbe: initialDelaySeconds 10, periodSeconds 10, failureThreshold 360), during
 * which core runs the schema migration, plus ten minutes for the rest to roll.
 */
export const CORE_STARTUP_SECONDS = 10 + 10 * 360;
export const HARBOR_RELEASE_TIMEOUT_SECONDS = CORE_STARTUP_SECONDS + 600;

/** The Secret and Service of the chart's internal database (templates/database: `<release>-database`). */
export const INTERNAL_DATABASE = "harbor-database";
export const DUMP_CLAIM = "harbor-upgrade-dumps";
const DUMP_SCRIPT = fs.readFileSync(path.join(__dirname, "db-dump.sh"), "utf8");
const SMOKE_SCRIPT = fs.readFileSync(path.join(__dirname, "smoke-test.py"), "utf8");

/** A pod running as `uid` (and its group), with the runtime's default seccomp profile. */
const nonRootPod = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  seccompProfile: { type: "RuntimeDefault" },
});

/**
 * A Harbor image (its pin in versions/) of the release `harborVersion`: Harbor tags every image
 * `v<release>`, so at the pinned chart it is the pin itself, the one the mirror holds
 * (`harborChartVersion` off the pin is refused with `mirror.registry`).
 */
export const harborImage = (pin: ImagePin, harborVersion: string): ImagePin => ({
  repository: pin.repository,
  tag: `v${harborVersion}`,
});

/** What the Jobs of an upgrade run: the target release's harbor-db and prepare images. */
export const UPGRADE_IMAGES = { dump: chartImages.harborDatabase, smokeTest: images.harborPrepare } as const;

export interface DatabaseDumpArgs {
  readonly namespace: string;
  readonly chartVersion: string;
  readonly harborVersion: string;
  readonly storageClass: string;
  readonly size: string;
  readonly timeoutSeconds: number;
  /** Where the image comes from (the mirror's registry when set). */
  readonly images: ImageSource;
}

/**
 * Dev: pg_dump of the chart's database to a volume before `chartVersion` is deployed (db-dump.sh),
 * in the target release's harbor-db image. The volume keeps every dump.
 */
export function internalDatabaseDump(
  name: string,
  a: DatabaseDumpArgs & {
    /** What the namespace's objects wait for (the Namespace). */
    readonly namespaceReady: pulumi.Resource[];
    readonly gate: pulumi.Resource;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const claim = new k8s.core.v1.PersistentVolumeClaim(
    `${name}-volume`,
    {
      metadata: { name: DUMP_CLAIM, namespace: a.namespace },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: a.storageClass,
        resources: { requests: { storage: a.size } },
      },
    },
    // The dumps outlive the program's interest in them: a delete leaves the volume.
    { ...opts, dependsOn: a.namespaceReady, retainOnDelete: true },
  );
  const labels = {
    "app.kubernetes.io/name": "harbor-db-dump",
    "app.kubernetes.io/part-of": "harbor-platform",
  };
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: { name: `harbor-db-dump-${versionSlug(a.chartVersion)}`, namespace: a.namespace, labels },
      spec: {
        backoffLimit: 1,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            // The harbor-db image's postgres user (make/photon/db/Dockerfile.base: uid 999).
            securityContext: { ...nonRootPod(999), fsGroup: 999 },
            containers: [
              {
                name: "dump",
                image: a.images.ref(harborImage(UPGRADE_IMAGES.dump, a.harborVersion)),
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/bash", "-c", DUMP_SCRIPT],
                env: [
                  { name: "PGHOST", value: INTERNAL_DATABASE },
                  { name: "PGPORT", value: "5432" },
                  // harbor-helm templates/_helpers.tpl: the internal database's user and core database.
                  { name: "PGUSER", value: "postgres" },
                  { name: "PGDATABASE", value: "registry" },
                  {
                    name: "PGPASSWORD",
                    valueFrom: {
                      secretKeyRef: { name: INTERNAL_DATABASE, key: "POSTGRES_PASSWORD", optional: true },
                    },
                  },
                  { name: "DUMP_DIR", value: "/dumps" },
                  { name: "TARGET", value: a.chartVersion },
                ],
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [
                  { name: "dumps", mountPath: "/dumps" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "dumps", persistentVolumeClaim: { claimName: DUMP_CLAIM } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      ...opts,
      dependsOn: [...a.namespaceReady, a.gate, claim],
      // A new version is a new Job; the dump it wrote stays on the volume.
      customTimeouts: { create: `${a.timeoutSeconds}s`, update: `${a.timeoutSeconds}s` },
    },
  );
}

export const SMOKE_PROJECT = "harbor-platform-smoke";
export const SMOKE_LABELS = {
  "app.kubernetes.io/name": "harbor-smoke-test",
  "app.kubernetes.io/part-of": "harbor-platform",
} as const;
/** Longest the smoke test may run (health wait, push, pull, a slow upstream for the proxy). */
const SMOKE_DEADLINE_SECONDS = 900;

export interface SmokeTestArgs {
  readonly namespace: string;
  readonly chartVersion: string;
  readonly harborVersion: string;
  /** core's in-cluster URL: https with internal TLS (prod), http otherwise. */
  readonly coreUrl: string;
  /** Secret holding the admin password under CREDENTIAL_KEYS.adminPassword. */
  readonly credentialsSecret: string;
  /** Secret with `ca.crt` that signs core's certificate (internal TLS). */
  readonly caSecret?: string;
  readonly proxy?: { readonly project: string; readonly image: string };
  /** Where the image comes from (the mirror's registry when set). */
  readonly images: ImageSource;
}

/**
 * The smoke test after a new chart version (smoke-test.py), in Harbor's `prepare` image of the
 * same release (it has Python; nothing else is pulled): API health and version, a robot's push
 * and pull, a pull through the proxy cache.
 */
export function smokeTestJob(
  name: string,
  a: SmokeTestArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "HARBOR_URL", value: a.coreUrl },
    { name: "ADMIN_USERNAME", value: "admin" },
    {
      name: "ADMIN_PASSWORD",
      valueFrom: { secretKeyRef: { name: a.credentialsSecret, key: CREDENTIAL_KEYS.adminPassword } },
    },
    { name: "SMOKE_PROJECT", value: SMOKE_PROJECT },
    { name: "EXPECT_VERSION", value: a.harborVersion },
    ...(a.caSecret ? [{ name: "CA_FILE", value: "/etc/harbor-smoke/ca.crt" }] : []),
    ...(a.proxy
      ? [
          { name: "PROXY_PROJECT", value: a.proxy.project },
          { name: "PROXY_IMAGE", value: a.proxy.image },
        ]
      : []),
  ];
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: `harbor-smoke-${versionSlug(a.chartVersion)}`,
        namespace: a.namespace,
        labels: SMOKE_LABELS,
      },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: SMOKE_DEADLINE_SECONDS,
        template: {
          metadata: { labels: SMOKE_LABELS },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            // Not root: the uid Harbor's components run as; the script needs no home or passwd entry.
            securityContext: nonRootPod(10000),
            containers: [
              {
                name: "smoke-test",
                image: a.images.ref(harborImage(UPGRADE_IMAGES.smokeTest, a.harborVersion)),
                imagePullPolicy: "IfNotPresent",
                command: ["python3", "-c", SMOKE_SCRIPT],
                env,
                securityContext: RESTRICTED_CONTAINER,
                ...(a.caSecret
                  ? { volumeMounts: [{ name: "ca", mountPath: "/etc/harbor-smoke", readOnly: true }] }
                  : {}),
              },
            ],
            ...(a.caSecret ? { volumes: [{ name: "ca", secret: { secretName: a.caSecret } }] } : {}),
          },
        },
      },
    },
    {
      ...opts,
      customTimeouts: {
        create: `${SMOKE_DEADLINE_SECONDS + 300}s`,
        update: `${SMOKE_DEADLINE_SECONDS + 300}s`,
      },
    },
  );
}
