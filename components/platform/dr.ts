// Disaster recovery of the prod topology, wired: the DR bucket in AWS (one explicit provider
// per region), the MinIO -> S3 mirror (and in restore mode the refill), and Velero with its
// NetworkPolicies. Loaded only through ./prod, so dev never loads @pulumi/aws.
import type * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type * as k8s from "@pulumi/kubernetes";
import {
  PROD_NAMESPACES,
  type Destination,
  type DrConfig,
  type NetworkPolicySettings,
  type ProxyConfig,
} from "../../config";
import { Velero } from "../backup";
import { DrBucket } from "../dr";
import { DrMirror, mirrorSettings, type MirrorBuckets } from "../dr/mirror";
import type { S3CredentialsRef } from "../dr/rclone";
import { namespacePolicies } from "../network-policy";
import { veleroFlows } from "./flows";
import type { Sources } from "../mirror";

export const VELERO_NAMESPACE = PROD_NAMESPACES.velero;
/** Velero keeps nothing on volumes (no snapshots, no node agent): a small quota is plenty. */
const VELERO_QUOTA = { storage: "1Gi", persistentVolumeClaims: 1 };

/** MinIO as the mirror sees it: all in MinIO's namespace (ProdEndpoints' secrets). */
export interface MirrorSource {
  readonly namespace: string;
  readonly endpoint: string;
  /** Every MinIO bucket holding data. */
  readonly buckets: MirrorBuckets;
  /** Read-only MinIO user of the mirror (keys accessKey/secretKey). */
  readonly mirrorSecret: string;
  /** MinIO's root credentials: the refill writes every bucket (the mirror's user only reads). */
  readonly rootCredentials: S3CredentialsRef;
  /** CA of MinIO's certificate (key ca.crt). */
  readonly caSecret: string;
  readonly namespaceReady: pulumi.Resource[];
  readonly minioReady: pulumi.Resource[];
}

export interface DrArgs {
  readonly name: string;
  readonly parent: pulumi.Resource;
  readonly dr: DrConfig;
  readonly protect: boolean;
  readonly net: NetworkPolicySettings;
  /** Every call out of the cluster (PlatformConfig.egress): Velero's and the DR jobs' S3. */
  readonly egress: readonly Destination[];
  /** The corporate proxy the AWS side goes through. */
  readonly proxy?: ProxyConfig;
  /** Namespaces holding what Harbor needs to come back (its secretKey, the DB credentials). */
  readonly backupNamespaces: readonly string[];
  /** Absent in `objectStore.mode: external`: there is no MinIO to mirror. */
  readonly mirrorSource?: MirrorSource;
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on Velero's ServiceMonitor. */
  readonly monitoringLabels?: Readonly<Record<string, string>>;
  /** The cluster's Velero (`existingOperators.velero`) and the preflight reads of its CRDs. */
  readonly existingVelero?: { readonly namespace: string; readonly ready: pulumi.Resource[] };
  /** Where the charts and images come from. */
  readonly sources: Sources;
  /** An air-gapped site's ranges: the AWS endpoints are reached within them. */
  readonly siteCidrs?: readonly string[];
}

export interface DrParts {
  readonly bucket: DrBucket;
  readonly mirror?: DrMirror;
  readonly velero: Velero;
  /** In restore mode with MinIO: the Job the database and Harbor must wait for. */
  readonly refillJob?: k8s.batch.v1.Job;
}

export function buildDr(a: DrArgs): DrParts {
  const { name, dr, provider } = a;
  const opts = { parent: a.parent };
  // Explicit providers: the region comes from config, never from an ambient default.
  const primary = new AwsProvider(`${name}-aws-primary`, { region: dr.bucket.region }, opts);
  const replica =
    dr.bucket.replicaRegion && dr.bucket.replicaBucketName
      ? {
          bucketName: dr.bucket.replicaBucketName,
          region: dr.bucket.replicaRegion,
          provider: new AwsProvider(`${name}-aws-replica`, { region: dr.bucket.replicaRegion }, opts),
        }
      : undefined;
  const bucket = new DrBucket(
    `${name}-dr`,
    {
      bucketName: dr.bucket.bucketName,
      region: dr.bucket.region,
      noncurrentVersionDays: dr.bucket.noncurrentVersionDays,
      abortIncompleteUploadDays: dr.bucket.abortIncompleteUploadDays,
      objectLock: dr.bucket.objectLock,
      provider: primary,
      ...(replica ? { replica } : {}),
      protect: a.protect,
    },
    opts,
  );
  const target = { bucket: dr.bucket.bucketName, region: dr.bucket.region, kmsKeyArn: bucket.kmsKeyArn };

  let mirror: DrMirror | undefined;
  const m = a.mirrorSource;
  if (m) {
    mirror = new DrMirror(
      `${name}-dr-mirror`,
      {
        ...target,
        ...bucket.mirrorCredentials,
        namespace: m.namespace,
        minio: {
          endpoint: m.endpoint,
          credentials: {
            secretName: m.mirrorSecret,
            accessKeyIdKey: "accessKey",
            secretAccessKeyKey: "secretKey",
          },
          caSecretName: m.caSecret,
          caKey: "ca.crt",
        },
        buckets: m.buckets,
        ...mirrorSettings(dr, m.rootCredentials),
        restoreReader: bucket.restoreCredentials,
        namespaceReady: m.namespaceReady,
        minioReady: m.minioReady,
        provider,
        sources: a.sources,
        ...(a.proxy ? { proxy: a.proxy } : {}),
      },
      opts,
    );
  }

  const velero = new Velero(
    `${name}-velero`,
    {
      ...target,
      ...bucket.veleroCredentials,
      namespace: a.existingVelero?.namespace ?? VELERO_NAMESPACE,
      quota: VELERO_QUOTA,
      ...(a.existingVelero ? { existing: { ready: a.existingVelero.ready } } : {}),
      schedule: dr.backup.schedule,
      ttl: dr.backup.ttl,
      includedNamespaces: a.backupNamespaces,
      provider,
      monitoringLabels: a.monitoringLabels,
      sources: a.sources,
      ...(a.proxy ? { proxy: a.proxy } : {}),
    },
    opts,
  );
  // The cluster's own Velero namespace is its owner's to police.
  if (velero.namespace)
    namespacePolicies(
      `${name}-velero-netpol`,
      {
        namespace: velero.namespace,
        flows: veleroFlows(a.net, a.egress, a.proxy),
        provider,
        siteCidrs: a.siteCidrs,
      },
      opts,
    );

  return {
    bucket,
    velero,
    ...(mirror ? { mirror } : {}),
    ...(mirror?.refillJob ? { refillJob: mirror.refillJob } : {}),
  };
}
