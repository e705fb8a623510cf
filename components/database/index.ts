// CloudNativePG for Harbor: the operator and the barman-cloud plugin (in the operator's
// namespace, where the plugin must live), a 3-instance Cluster spread over nodes (and zones,
// when config declares them) with a cert-manager server certificate from the project CA, WAL
// archiving and scheduled base backups to the object store through the plugin.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as kube from "@pulumi/kubernetes";
import type { DatabaseSettings } from "../../config";
import type { CertManager } from "../cert-manager";
import type { PlatformNamespace } from "../namespace";
import type { RestoreConfig } from "../../config/dr";
import { applyRestore } from "../dr/restore";
import {
  customResource,
  hostnameSpread,
  mergeValues,
  opaqueSecret,
  pinnedRelease,
  randomPassword,
  zoneSpread,
  reloadOnSecrets,
} from "../k8s";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import type { Sources } from "../mirror";
import { images } from "../../versions";

export const PLUGIN_NAME = "barman-cloud.cloudnative-pg.io";
export const DATABASE_NAME = "registry";
export const OWNER = "harbor";
/** Pod label CloudNativePG sets on every instance of a cluster. */
export const CLUSTER_LABEL = "cnpg.io/cluster";
/**
 * Pod label CloudNativePG sets to `instance` on instances and `pooler` on poolers; its Jobs carry
 * `cnpg.io/jobRole` instead (PodRoleLabelName, PodRoleInstance in pkg/utils/labels_annotations.go).
 */
export const POD_ROLE_LABEL = "cnpg.io/podRole";

/** Where the backups go: an S3 endpoint, a bucket and a Secret in the database namespace. */
export interface BackupTarget {
  readonly endpointUrl: string;
  readonly bucket: string;
  /** Secret in the database namespace with ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
  readonly credentialsSecret: string;
  /** Secret (key ca.crt) in the database namespace when the endpoint uses the project CA. */
  readonly caSecret?: string;
}

export const BACKUP_KEYS = { accessKey: "ACCESS_KEY_ID", secretKey: "ACCESS_SECRET_KEY" } as const;

/**
 * Harbor's connection pool per pod of core, jobservice (which reads core's settings) and
 * exporter: the chart's `database.maxOpenConns`/`maxIdleConns` (defaults 900/100, sized for
 * its own PostgreSQL with 1024 connections).
 */
export const HARBOR_DB_POOL = { maxOpenConns: 30, maxIdleConns: 10 } as const;

/**
 * PostgreSQL's `max_connections` for Harbor's `replicas`: every core, jobservice and exporter pod
 * at its pool's maximum, with the extra pod a rolling update surges (25%, rounded up), plus
 * superuser_reserved_connections (3) and room for the instance manager, metrics and backups.
 */
export function databaseMaxConnections(replicas: number): number {
  const podsDuringRollout = 3 * (replicas + Math.ceil(replicas / 4));
  return podsDuringRollout * HARBOR_DB_POOL.maxOpenConns + 3 + 20;
}

export function clusterSpec(args: {
  readonly name: string;
  readonly settings: DatabaseSettings;
  readonly ownerSecret: string;
  readonly serverTlsSecret: string;
  readonly objectStore: string;
  readonly maxConnections?: number;
  /** The PostgreSQL image, pinned: the operator's default changes with its version. */
  readonly imageName: string;
}): Record<string, unknown> {
  const s = args.settings;
  return {
    instances: s.instances,
    imageName: args.imageName,
    primaryUpdateStrategy: "unsupervised",
    storage: { storageClass: s.storageClass, size: s.size },
    // One instance per node, strictly: two on one node would fall together.
    affinity: {
      enablePodAntiAffinity: true,
      podAntiAffinityType: "required",
      topologyKey: "kubernetes.io/hostname",
    },
    // With zones, instances spread strictly over them too: a zone's loss leaves a standby to promote.
    ...(s.zones > 1
      ? {
          topologySpreadConstraints: zoneSpread(
            { [CLUSTER_LABEL]: args.name, [POD_ROLE_LABEL]: "instance" },
            s.zones,
          ),
        }
      : {}),
    enablePDB: true,
    // A commit waits for one standby when one is up: no lost transactions on failover.
    postgresql: {
      synchronous: { method: "any", number: 1, dataDurability: "preferred" },
      ...(args.maxConnections ? { parameters: { max_connections: String(args.maxConnections) } } : {}),
    },
    bootstrap: {
      initdb: { database: DATABASE_NAME, owner: OWNER, secret: { name: args.ownerSecret } },
    },
    // cert-manager's Secret holds tls.crt/tls.key and ca.crt (the project root CA).
    certificates: { serverTLSSecret: args.serverTlsSecret, serverCASecret: args.serverTlsSecret },
    plugins: [{ name: PLUGIN_NAME, isWALArchiver: true, parameters: { barmanObjectName: args.objectStore } }],
  };
}

export function objectStoreSpec(target: BackupTarget, retention: string) {
  return {
    retentionPolicy: retention,
    configuration: {
      destinationPath: `s3://${target.bucket}/`,
      endpointURL: target.endpointUrl,
      ...(target.caSecret ? { endpointCA: { name: target.caSecret, key: "ca.crt" } } : {}),
      s3Credentials: {
        accessKeyId: { name: target.credentialsSecret, key: BACKUP_KEYS.accessKey },
        secretAccessKey: { name: target.credentialsSecret, key: BACKUP_KEYS.secretKey },
      },
      wal: { compression: "gzip", maxParallel: 4 },
      data: { compression: "gzip", jobs: 2 },
    },
  };
}

/**
 * Secrets the plugin chart mounts into its Deployment: cert-manager renews them every 90 days
 * and the plugin reads them only at start (cloudnative-pg #7947). Named literally by chart
 * 0.7.0 (templates/deployment.yaml, server-certificate.yaml, client-certificate.yaml).
 */
export const PLUGIN_TLS_SECRETS = ["barman-cloud-server-tls", "barman-cloud-client-tls"] as const;

/**
 * One replica: in chart 0.7.0 only the leader serves gRPC on 9090, the readiness probe is on
 * 9090 and the strategy is Recreate, so a second replica never becomes Ready and Helm's wait
 * times out (plugin-barman-cloud #620). WAL archiving runs in the instances' sidecar, not here:
 * a node loss only delays backups until the pod is rescheduled.
 */
export function barmanCloudPluginValues(): Record<string, unknown> {
  return {
    crds: { create: true },
    replicaCount: 1,
    // commonAnnotations is the chart's only way onto the Deployment (podAnnotations is unused).
    commonAnnotations: reloadOnSecrets(PLUGIN_TLS_SECRETS),
  };
}

export interface CloudNativePgArgs {
  readonly namespace: PlatformNamespace;
  /** The plugin issues its own certificates through cert-manager. */
  readonly certManager: CertManager;
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on the operator's PodMonitor (prometheus-operator). */
  readonly monitoringLabels?: Labels;
  /** Where the charts and images come from. */
  readonly sources: Sources;
}

/** The operator and the barman-cloud plugin; both install their CRDs. */
export class CloudNativePg extends pulumi.ComponentResource {
  readonly operator: kube.helm.v3.Release;
  readonly plugin: kube.helm.v3.Release;
  readonly namespace: string;

  constructor(name: string, args: CloudNativePgArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:database:CloudNativePg", name, {}, opts);
    this.namespace = args.namespace.name;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] };
    this.operator = pinnedRelease(
      `${name}-operator`,
      {
        name: "cnpg",
        namespace: this.namespace,
        chart: "cloudnativePg",
        // Two operators with leader election: a node loss does not stop failover handling.
        values: mergeValues(
          {
            crds: { create: true },
            replicaCount: 2,
            topologySpreadConstraints: hostnameSpread({
              "app.kubernetes.io/name": "cloudnative-pg",
              "app.kubernetes.io/instance": "cnpg",
            }),
          },
          args.monitoringLabels && chartMonitoringValues.cloudnativePg(args.monitoringLabels),
        ),
        sources: args.sources,
      },
      k8sOpts,
    );
    this.plugin = pinnedRelease(
      `${name}-barman-cloud`,
      {
        name: "barman-cloud",
        namespace: this.namespace,
        chart: "barmanCloudPlugin",
        values: barmanCloudPluginValues(),
        sources: args.sources,
      },
      { ...k8sOpts, dependsOn: [args.namespace, this.operator, args.certManager.release] },
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}

export interface HarborDatabaseArgs {
  readonly namespace: PlatformNamespace;
  /** Harbor's namespace: the client password Secret goes there. */
  readonly harborNamespace: PlatformNamespace;
  readonly settings: DatabaseSettings;
  readonly cnpg: CloudNativePg;
  readonly certManager: CertManager;
  readonly backup: BackupTarget;
  /** What must exist before WAL archiving can start (the object store, its Secrets). */
  readonly backupDependsOn: pulumi.Resource[];
  /**
   * The restore switch: when enabled the Cluster bootstraps by recovery from the archive (and
   * archives under a new serverName); nothing else of the Cluster changes.
   */
  readonly restore?: RestoreConfig;
  /** What must finish before a recovery can read the archive (the MinIO refill Job). */
  readonly recoveryDependsOn?: pulumi.Resource[];
  readonly protect: boolean;
  readonly provider?: k8s.Provider;
  /**
   * A restore without the Pulumi state: the password the restored `harbor` role has (from the
   * lost site's Secret `<cluster>-owner`), instead of a generated one.
   */
  readonly restoredOwnerPassword?: pulumi.Input<string>;
  /** PostgreSQL's max_connections (databaseMaxConnections); the server default (100) when absent. */
  readonly maxConnections?: number;
  /** Where the PostgreSQL image comes from. */
  readonly sources: Sources;
}

/** Harbor's PostgreSQL: a CloudNativePG Cluster with verify-full TLS and plugin backups. */
export class HarborDatabase extends pulumi.ComponentResource {
  readonly clusterName: string;
  readonly namespace: string;
  readonly objectStoreName: string;
  readonly host: string;
  readonly port = 5432;
  /** Secret in Harbor's namespace with key `password` (the chart's existingSecret). */
  readonly harborSecretName = "harbor-database";
  readonly cluster: kube.apiextensions.CustomResource;

  constructor(name: string, args: HarborDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:database:HarborDatabase", name, {}, opts);
    const ns = args.namespace.name;
    this.namespace = ns;
    this.clusterName = name;
    this.objectStoreName = `${name}-backups`;
    this.host = `${name}-rw.${ns}.svc`;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] };

    const password = args.restoredOwnerPassword
      ? pulumi.output(args.restoredOwnerPassword)
      : randomPassword(`${name}-owner-password`, 32, this).result;
    const ownerSecret = new kube.core.v1.Secret(
      `${name}-owner`,
      {
        metadata: { name: `${name}-owner`, namespace: ns },
        type: "kubernetes.io/basic-auth",
        stringData: { username: OWNER, password: pulumi.secret(password) },
      },
      k8sOpts,
    );
    this.harborSecret = opaqueSecret(
      `${name}-harbor-client`,
      {
        name: this.harborSecretName,
        namespace: args.harborNamespace.name,
        data: { password },
      },
      { parent: this, provider: args.provider, dependsOn: [args.harborNamespace.namespace] },
    );

    const services = ["rw", "r", "ro"].flatMap((svc) => {
      const base = `${name}-${svc}`;
      return [base, `${base}.${ns}`, `${base}.${ns}.svc`, `${base}.${ns}.svc.cluster.local`];
    });
    const serverTlsSecret = `${name}-server-tls`;
    const serverCert = args.certManager.certificate(
      `${name}-server-cert`,
      {
        secretName: serverTlsSecret,
        namespace: ns,
        dnsNames: [this.host, ...services.filter((s) => s !== this.host)],
      },
      [args.namespace.namespace],
    );

    const crOpts = { parent: this, provider: args.provider };
    const objectStore = customResource(
      `${name}-object-store`,
      {
        apiVersion: "barmancloud.cnpg.io/v1",
        kind: "ObjectStore",
        name: this.objectStoreName,
        namespace: ns,
        spec: objectStoreSpec(args.backup, args.settings.backupRetention),
      },
      { ...crOpts, dependsOn: [args.namespace.namespace, args.cnpg.plugin, ...args.backupDependsOn] },
    );

    this.cluster = customResource(
      name,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        name,
        namespace: ns,
        spec: applyRestore(
          clusterSpec({
            name,
            settings: args.settings,
            ownerSecret: `${name}-owner`,
            serverTlsSecret,
            objectStore: this.objectStoreName,
            maxConnections: args.maxConnections,
            imageName: args.sources.images.ref(images.postgresql),
          }),
          // The same owner and Secret as initdb: Harbor's database password survives a restore.
          {
            objectStoreName: this.objectStoreName,
            database: DATABASE_NAME,
            owner: OWNER,
            ownerSecretName: `${name}-owner`,
          },
          args.restore ?? { enabled: false },
        ),
        // The up reports the database Ready; Harbor's pods wait for it on their own.
        waitFor: "condition=Ready",
        timeoutSeconds: 1200,
      },
      {
        ...crOpts,
        dependsOn: [
          args.cnpg.operator,
          args.cnpg.plugin,
          ownerSecret,
          serverCert,
          objectStore,
          ...(args.recoveryDependsOn ?? []),
        ],
        protect: args.protect,
      },
    );

    customResource(
      `${name}-scheduled-backup`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        name: `${name}-daily`,
        namespace: ns,
        spec: {
          schedule: args.settings.backupSchedule,
          cluster: { name },
          method: "plugin",
          pluginConfiguration: { name: PLUGIN_NAME },
          backupOwnerReference: "self",
          immediate: true,
        },
      },
      { ...crOpts, dependsOn: [this.cluster] },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      namespace: ns,
      objectStoreName: this.objectStoreName,
    });
  }

  readonly harborSecret: kube.core.v1.Secret;
}
