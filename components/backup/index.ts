// Velero backs up the Kubernetes state of the Harbor namespaces (Secrets included: Harbor's
// secretKey and the database credentials are what make a restored database readable) to the
// DR bucket's velero/ prefix.
//
// Volumes are not backed up: snapshotsEnabled false (local DAS volumes have no snapshot API)
// and no node agent (file-system backup of live MinIO drives and PostgreSQL data would be
// inconsistent and duplicate what the mirror already copies: WAL + base backups and the
// registry blobs). The data comes back through the CNPG recovery and the MinIO refill.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NamespaceQuota, ProxyConfig } from "../../config";
import { goProxyEnv } from "../../config/proxy";
import { images } from "../../versions";
import { mergeValues, pinnedRelease } from "../k8s";
import type { ImageSource, Sources } from "../mirror";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import { PlatformNamespace } from "../namespace";
import { DR_PREFIXES, type DrWriterArgs } from "../dr/policies";
import { RESTRICTED_CONTAINER, RESTRICTED_POD } from "../dr/rclone";

/** `bucket`, `region`, `kmsKeyArn` of the DR bucket; the keys are DrBucket.veleroCredentials. */
export interface VeleroArgs extends DrWriterArgs {
  /** Velero's own namespace (literal: the Release needs it at preview). */
  readonly namespace: string;
  readonly quota: NamespaceQuota;
  readonly schedule: string;
  readonly ttl: string;
  /** Harbor's namespace and the CNPG cluster's (and any other holding Harbor's Secrets). */
  readonly includedNamespaces: readonly string[];
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on the chart's metrics ServiceMonitor. */
  readonly monitoringLabels?: Labels;
  /** The cluster's Velero runs in `namespace`: the preflight reads of its CRDs. */
  readonly existing?: { readonly ready: pulumi.Resource[] };
  /** Where the chart and images come from. */
  readonly sources: Sources;
  /** The corporate proxy S3 calls go through: the program's own installation's (the cluster's keeps its owner's). */
  readonly proxy?: ProxyConfig;
}

/**
 * The proxy for the Velero server: `configuration.extraEnvVars` goes into its container's env
 * (velero chart 12.1.0 templates/deployment.yaml), and the AWS plugin, a process the server
 * starts, inherits it. NO_PROXY keeps the API server direct.
 */
export function veleroProxyValues(proxy: ProxyConfig): Record<string, unknown> {
  return { configuration: { extraEnvVars: goProxyEnv(proxy) } };
}

export const CREDENTIALS_SECRET = "velero-credentials";
export const BSL_NAME = "default";
export const SCHEDULE_NAME = "harbor";

/** Chart values: plugin, credentials by existingSecret, no chart-made BSL/VSL, no node agent. */
export function veleroValues(ttl: string, source: ImageSource): Record<string, unknown> {
  return {
    initContainers: [
      {
        name: "velero-plugin-for-aws",
        image: source.ref(images.veleroPluginForAws),
        imagePullPolicy: "IfNotPresent",
        securityContext: RESTRICTED_CONTAINER,
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
      },
    ],
    credentials: { useSecret: true, existingSecret: CREDENTIALS_SECRET },
    // The BackupStorageLocation is a CR of this program (Pulumi waits for it to be Available).
    backupsEnabled: false,
    snapshotsEnabled: false,
    deployNodeAgent: false,
    configuration: {
      backupStorageLocation: [],
      volumeSnapshotLocation: [],
      defaultBackupStorageLocation: BSL_NAME,
      defaultBackupTTL: ttl,
      logFormat: "json",
    },
    podSecurityContext: RESTRICTED_POD,
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    metrics: { enabled: true },
  };
}

export function backupStorageLocationSpec(
  bucket: string,
  region: string,
  kmsKeyArn: pulumi.Input<string>,
): Record<string, unknown> {
  return {
    provider: "aws",
    default: true,
    accessMode: "ReadWrite",
    objectStorage: { bucket, prefix: DR_PREFIXES.velero },
    // velero-plugin-for-aws keys: every object is written with SSE-KMS under this key.
    config: { region, kmsKeyId: kmsKeyArn },
  };
}

/** Everything namespaced in the Harbor namespaces, Secrets included; PVCs/PVs left out (no volume data). */
export function scheduleSpec(
  schedule: string,
  ttl: string,
  includedNamespaces: readonly string[],
  storageLocation: string = BSL_NAME,
): Record<string, unknown> {
  return {
    schedule,
    useOwnerReferencesInBackup: false,
    template: {
      includedNamespaces: [...includedNamespaces],
      // Restored claims would bind to new, empty local volumes and confuse the operators.
      excludedNamespaceScopedResources: ["persistentvolumeclaims", "events", "events.events.k8s.io"],
      excludedClusterScopedResources: ["persistentvolumes"],
      snapshotVolumes: false,
      defaultVolumesToFsBackup: false,
      storageLocation,
      ttl,
    },
  };
}

/** With the cluster's own Velero: the program's location and schedule, named apart from its own. */
export const EXISTING_VELERO_NAMES = {
  credentials: "harbor-platform-velero-credentials",
  location: "harbor-platform",
  schedule: "harbor-platform",
} as const;

export class Velero extends pulumi.ComponentResource {
  /** Velero's namespace when the program installs it, for its NetworkPolicies; absent with the cluster's. */
  readonly namespace?: PlatformNamespace;
  readonly namespaceName: string;
  /** The program's own installation; absent when the cluster's Velero is used. */
  readonly release?: k8s.helm.v3.Release;
  readonly backupStorageLocation: k8s.apiextensions.CustomResource;
  readonly schedule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:backup:Velero", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    this.namespaceName = args.namespace;
    const existing = args.existing;
    const names = existing
      ? EXISTING_VELERO_NAMES
      : { credentials: CREDENTIALS_SECRET, location: BSL_NAME, schedule: SCHEDULE_NAME };

    const namespace = existing
      ? undefined
      : (this.namespace = new PlatformNamespace(
          `${name}-ns`,
          // The chart's CRD-upgrade hook job runs kubectl without a restricted securityContext.
          { name: args.namespace, podSecurity: "baseline", quota: args.quota, provider: args.provider },
          { parent: this },
        ));
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: names.credentials, namespace: args.namespace },
        type: "Opaque",
        // The AWS shared-credentials file the chart mounts for the plugin (key `cloud`); with the
        // cluster's Velero, the location names it (spec.credential).
        stringData: {
          cloud: pulumi.secret(
            pulumi.interpolate`[default]\naws_access_key_id=${args.accessKeyId}\naws_secret_access_key=${args.secretAccessKey}\n`,
          ),
        },
      },
      { ...childOpts, dependsOn: namespace ? [namespace.namespace] : (existing?.ready ?? []) },
    );
    if (namespace)
      this.release = pinnedRelease(
        name,
        {
          name: "velero",
          namespace: args.namespace,
          chart: "velero",
          values: mergeValues(
            veleroValues(args.ttl, args.sources.images),
            args.monitoringLabels && chartMonitoringValues.velero(args.monitoringLabels),
            args.proxy && veleroProxyValues(args.proxy),
          ),
          sources: args.sources,
        },
        { ...childOpts, dependsOn: [namespace, credentials] },
      );
    const ready = this.release ? [this.release] : (existing?.ready ?? []);
    this.backupStorageLocation = new k8s.apiextensions.CustomResource(
      `${name}-bsl`,
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: {
          name: names.location,
          namespace: args.namespace,
          annotations: {
            "pulumi.com/waitFor": "jsonpath={.status.phase}=Available",
            "pulumi.com/timeoutSeconds": "600",
          },
        },
        spec: existing
          ? {
              ...backupStorageLocationSpec(args.bucket, args.region, args.kmsKeyArn),
              // Not the cluster's default location; its own credentials, not Velero's.
              default: false,
              credential: { name: names.credentials, key: "cloud" },
            }
          : backupStorageLocationSpec(args.bucket, args.region, args.kmsKeyArn),
      },
      { ...childOpts, dependsOn: existing ? [...ready, credentials] : ready },
    );
    this.schedule = new k8s.apiextensions.CustomResource(
      `${name}-schedule`,
      {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name: names.schedule, namespace: args.namespace },
        spec: scheduleSpec(args.schedule, args.ttl, args.includedNamespaces, names.location),
      },
      { ...childOpts, dependsOn: [...ready, this.backupStorageLocation] },
    );
    this.registerOutputs({ namespace: this.namespaceName });
  }
}
