// The keys every topology shares: where Harbor lives, how it is exposed, its storage, replicas
// and certificates. Cross-key rules (prod's ingress classes, replicas, protectData) are in
// config/index.ts, on the typed values.
import { z } from "zod";
import { CERTIFICATE_LIMITS } from "../../policy/policies/certificate-lifetime";
import {
  boolean,
  dnsName,
  duration,
  integer,
  k8sName,
  k8sSubdomain,
  key,
  listOf,
  oneOf,
  section,
  size,
} from "./define";

const CORE = "Core";

/** What each topology's namespaces get when `namespaceQuota` leaves a field out. */
export const NAMESPACE_QUOTA = {
  dev: { storage: "500Gi", persistentVolumeClaims: 20 },
  prod: { storage: "20Ti", persistentVolumeClaims: 100 },
} as const;
const quotaDefault = (field: keyof (typeof NAMESPACE_QUOTA)["dev"]) => ({
  dev: `\`${NAMESPACE_QUOTA.dev[field]}\``,
  prod: `\`${NAMESPACE_QUOTA.prod[field]}\``,
});

/** Namespaces Kubernetes itself owns: installing Harbor there mixes it with the control plane. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

export const CORE_KEYS = {
  topology: key({
    schema: oneOf(["dev", "prod"] as const),
    doc: "Preset: dev (single-node, chart-internal database and Redis) or prod (HA, CloudNativePG, Redis Sentinel, MinIO, DR to AWS).",
    group: CORE,
    required: ["dev", "prod"],
  }),
  hostname: key({
    schema: dnsName(),
    doc: "DNS name Harbor is served on (https://<hostname>); the server certificate is issued for it.",
    group: CORE,
    required: ["dev", "prod"],
  }),
  namespace: key({
    schema: k8sName().refine((n) => !(RESERVED_NAMESPACES as readonly string[]).includes(n), {
      message: `a namespace of its own, not one Kubernetes owns (${RESERVED_NAMESPACES.join(", ")})`,
    }),
    doc: "Namespace Harbor is installed into.",
    group: CORE,
    defaults: { dev: "harbor", prod: "harbor" },
  }),
  exposure: key({
    schema: oneOf(["ingress", "gateway", "loadBalancer"] as const),
    doc: "How Harbor is exposed: ingress, gateway (Gateway API HTTPRoute) or loadBalancer.",
    group: CORE,
    defaults: { dev: "ingress", prod: "ingress" },
  }),
  ingressClassName: key({
    schema: k8sName(),
    doc: "IngressClass of the Ingress; prod: traefik or nginx (the controllers told to verify Harbor's internal TLS).",
    group: CORE,
    defaults: { dev: "traefik", prod: "traefik" },
    when: { key: "exposure", values: ["ingress"], fallback: "ingress" },
  }),
  gatewayParentRefs: key({
    schema: listOf(
      section({
        name: k8sName().meta({ doc: "Name of the Gateway." }),
        namespace: k8sName()
          .optional()
          .meta({ doc: "Namespace of the Gateway (the HTTPRoute's by default)." }),
        sectionName: k8sName().optional().meta({ doc: "Listener of the Gateway to attach to." }),
      }),
      1,
    ),
    doc: "Gateways the HTTPRoute attaches to.",
    group: CORE,
    required: ["dev", "prod"],
    requiredHint: "at least one {name, namespace}",
    when: { key: "exposure", values: ["gateway"], fallback: "ingress" },
  }),
  nasStorageClass: key({
    schema: k8sSubdomain(),
    doc: "ReadWriteMany class (NAS/NFS) for the dev registry's filesystem image store; prod keeps images in S3.",
    group: CORE,
    topologies: ["dev"],
    defaults: { dev: "nfs-client" },
  }),
  localStorageClass: key({
    schema: k8sSubdomain(),
    doc: "Node-local (DAS) class for Trivy caches, databases, Redis and MinIO drives.",
    group: CORE,
    defaults: { dev: "local-path" },
    required: ["prod"],
    requiredHint: "the name of a StorageClass in the cluster",
  }),
  registryStorageSize: key({
    schema: size(),
    doc: "Size of the dev registry's image volume; in prod the object store's registry quota basis.",
    group: CORE,
    defaults: { dev: "50Gi", prod: "500Gi" },
  }),
  trivyStorageSize: key({
    schema: size(),
    doc: "Size of each Trivy cache volume.",
    group: CORE,
    defaults: { dev: "5Gi", prod: "5Gi" },
  }),
  jobLogStorageSize: key({
    schema: size(),
    doc: "Size of the jobservice's job-log volume.",
    group: CORE,
    defaults: { dev: "1Gi", prod: "1Gi" },
  }),
  databaseStorageSize: key({
    schema: size(),
    doc: "Size of each database volume (the chart's PostgreSQL in dev, each CloudNativePG instance in prod).",
    group: CORE,
    defaults: { dev: "5Gi", prod: "50Gi" },
  }),
  redisStorageSize: key({
    schema: size(),
    doc: "Size of each Redis volume (the chart's Redis in dev, each redis-ha data node in prod).",
    group: CORE,
    defaults: { dev: "1Gi", prod: "1Gi" },
  }),
  replicas: key({
    schema: integer(1, 10),
    doc: "Replicas of core, jobservice, portal, registry, exporter and nginx; at least 2 in prod.",
    group: CORE,
    defaults: { dev: 1, prod: 3 },
  }),
  trivyReplicas: key({
    schema: integer(1, 10),
    doc: "Replicas of Trivy.",
    group: CORE,
    defaults: { dev: 1, prod: 3 },
  }),
  logLevel: key({
    schema: oneOf(["debug", "info", "warning", "error", "fatal"] as const),
    doc: "Harbor log level.",
    group: CORE,
    defaults: { dev: "info", prod: "info" },
  }),
  uploadPurgeAge: key({
    schema: duration(),
    doc: "Age after which unfinished uploads are purged (Go duration).",
    group: CORE,
    defaults: { dev: "168h", prod: "168h" },
  }),
  caValidityDays: key({
    schema: integer(
      30,
      CERTIFICATE_LIMITS.maxCaDays,
      `an integer from 30 to ${CERTIFICATE_LIMITS.maxCaDays} (the certificate-lifetime policy's limit for a CA)`,
    ),
    doc: "Validity of the project's root CA in days.",
    group: CORE,
    defaults: { dev: 3650, prod: 3650 },
  }),
  certValidityDays: key({
    schema: integer(
      1,
      CERTIFICATE_LIMITS.maxLeafDays,
      `an integer from 1 to ${CERTIFICATE_LIMITS.maxLeafDays} (the certificate-lifetime policy's limit for a TLS certificate)`,
    ),
    doc: "Validity of the certificates the project's CA issues, in days.",
    group: CORE,
    defaults: { dev: 397, prod: 397 },
  }),
  namespaceQuota: key({
    schema: section({
      storage: size()
        .optional()
        .meta({ defaultText: quotaDefault("storage"), doc: "requests.storage of each namespace" }),
      persistentVolumeClaims: integer(1)
        .optional()
        .meta({
          defaultText: quotaDefault("persistentVolumeClaims"),
          doc: "PersistentVolumeClaims per namespace",
        }),
    }),
    doc: "Storage quota of every namespace the project creates.",
    group: CORE,
    defaults: { dev: {}, prod: {} },
  }),
  protectData: key({
    schema: boolean(),
    doc: "Protect data-bearing resources from deletion; must be true in prod.",
    group: CORE,
    defaults: { dev: false, prod: true },
  }),
} as const;

export type CoreKeys = typeof CORE_KEYS;
export type GatewayParentRefValue = z.output<CoreKeys["gatewayParentRefs"]["schema"]>[number];
