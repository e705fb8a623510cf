// The traffic the prod topology needs, per namespace: everything else is denied.
import type { Destination, Exposure, NetworkPolicySettings, ProdSettings, ProxyConfig } from "../../config";
import { CLUSTER_LABEL } from "../database";
import {
  ANYWHERE,
  apiServerFlow,
  callsOf,
  externalEgress,
  sameNamespaceFlows,
  type Flow,
  type Labels,
  type Peer,
} from "../network-policy";
import { RCLONE_METRICS_PORT } from "../dr/rclone";
import { BLOB_DRILL_PODS, SCRATCH_PODS } from "../dr/drill";
import { REDIS_EXPORTER_PORT, SENTINEL_EXPORTER_PORT } from "../monitoring/chart-values";
import { MINIO_POD_LABELS, MINIO_PORT } from "../object-store";
import { POD_LABELS as REDIS_PODS, REDIS_PORT, SENTINEL_PORT } from "../redis";

export interface ProdNamespaces {
  readonly harbor: string;
  readonly certManager: string;
  readonly cnpg: string;
  readonly database: string;
  readonly redis: string;
  /** Absent in external object-store mode. */
  readonly minio?: string;
}

/** Labels the Harbor chart puts on all its pods. */
export const HARBOR_PODS = { app: "harbor" } as const;

function scrape(net: NetworkPolicySettings, ports: number[]): Flow {
  return {
    name: "metrics-scrape",
    direction: "ingress",
    peers: [{ namespace: net.monitoringNamespace }],
    ports: ports.map((port) => ({ port })),
  };
}

/** Harbor's components that call out of the cluster. */
export const HARBOR_CALLERS = ["core", "jobservice", "trivy", "registry"] as const;

export interface HarborFlowArgs {
  readonly namespace: string;
  readonly net: NetworkPolicySettings;
  readonly exposure: Exposure;
  /** Every call out of the cluster (PlatformConfig.egress); Harbor's components' are used. */
  readonly egress: readonly Destination[];
  readonly proxy?: ProxyConfig;
  /** cert-manager's HTTP-01 solver pods answer in Harbor's namespace on 8089. */
  readonly acmeSolver?: boolean;
}

/** Harbor's namespace in either topology; prod adds its egress to the data tier. */
export function harborFlows(a: HarborFlowArgs): Flow[] {
  // A LoadBalancer Service brings client traffic from anywhere to nginx; an Ingress or a
  // Gateway routes to core and portal only (the chart's ingress.yaml and route.yaml).
  const lb = a.exposure.kind === "loadBalancer";
  const routed = lb ? ["nginx"] : ["core", "portal"];
  return [
    ...routed.map((component): Flow => ({
      name: `from-ingress-${component}`,
      direction: "ingress",
      pods: { ...HARBOR_PODS, component },
      peers: [lb ? ANYWHERE : { namespace: a.net.ingressNamespace }],
      // Their HTTP and HTTPS container ports.
      ports: [{ port: 8080 }, { port: 8443 }],
    })),
    // cert-manager's HTTP-01 solver pods (label from pkg/issuer/acme/http/pod.go).
    ...(a.acmeSolver
      ? [
          {
            name: "from-ingress-acme-solver",
            direction: "ingress" as const,
            pods: { "acme.cert-manager.io/http01-solver": "true" },
            peers: [{ namespace: a.net.ingressNamespace }],
            ports: [{ port: 8089 }],
          },
        ]
      : []),
    scrape(a.net, [8001]),
    // core, jobservice, registry, portal, trivy (and in dev the internal database and Redis).
    ...sameNamespaceFlows(a.namespace),
    // Only the components that call out, on the ports the config makes them dial.
    ...HARBOR_CALLERS.flatMap((component) =>
      externalEgress(
        {
          internet: `${component}-to-internet`,
          proxy: `${component}-to-proxy`,
          internal: `${component}-to-internal`,
        },
        { ...HARBOR_PODS, component },
        callsOf(a.egress, `harbor-${component}`),
        a.proxy,
      ),
    ),
    // Core forwards the audit log over TCP syslog: never through the proxy.
    ...externalEgress(
      { internet: "to-audit-syslog", proxy: "to-audit-syslog", internal: "to-audit-syslog" },
      { ...HARBOR_PODS, component: "core" },
      callsOf(a.egress, "harbor-syslog"),
      a.proxy,
    ),
  ];
}

/** Pod labels of the DR mirror CronJob's and the refill Job's pods (components/dr). */
export const DR_MIRROR_PODS = { "app.kubernetes.io/name": "dr-mirror" } as const;
export const DR_REFILL_PODS = { "app.kubernetes.io/name": "dr-refill" } as const;

/**
 * Velero's namespace: the kube API (it reads and writes every resource it backs up or
 * restores; the chart's CRD-upgrade hook too), https to AWS S3 (the DR bucket), metrics.
 * S3 publishes no stable CIDRs a NetworkPolicy could name, so 443 goes anywhere (or to the proxy).
 */
export function veleroFlows(
  net: NetworkPolicySettings,
  egress: readonly Destination[],
  proxy?: ProxyConfig,
): Flow[] {
  return [
    apiServerFlow(net.apiServerCidrs),
    ...externalEgress(
      { internet: "to-aws-s3", proxy: "to-proxy", internal: "to-internal" },
      undefined,
      callsOf(egress, "velero"),
      proxy,
    ),
    scrape(net, [8085]),
  ];
}

export interface ProdFlowArgs {
  readonly ns: ProdNamespaces;
  readonly prod: ProdSettings;
  readonly net: NetworkPolicySettings;
  readonly exposure: Exposure;
  readonly clusterName: string;
  /** Whether the DR mirror (and the refill in restore mode) runs in MinIO's namespace. */
  readonly drMirror?: boolean;
  /** The restore drill's namespace: its scratch cluster restores from MinIO (with the mirror). */
  readonly drillNamespace?: string;
  /** Every call out of the cluster (PlatformConfig.egress). */
  readonly egress: readonly Destination[];
  readonly proxy?: ProxyConfig;
  /** The cluster's own ClusterIssuer signs the public certificate: it may solve HTTP-01 in Harbor's namespace. */
  readonly clusterIssuer?: boolean;
}

export function prodFlows(a: ProdFlowArgs): Record<string, Flow[]> {
  const { ns, net, egress, proxy, drillNamespace } = a;
  const api = net.apiServerCidrs;
  const monitoring = (ports: number[]) => scrape(net, ports);
  const dbPods = { [CLUSTER_LABEL]: a.clusterName };
  // The object store: MinIO's pods, or an external S3 endpoint (directly, never by the proxy).
  const toObjectStore = (pods?: Labels): Flow[] =>
    ns.minio
      ? [
          {
            name: "to-object-store",
            direction: "egress",
            ...(pods ? { pods } : {}),
            peers: [{ namespace: ns.minio, pods: MINIO_POD_LABELS }],
            ports: [{ port: MINIO_PORT }],
          },
        ]
      : externalEgress(
          { internet: "to-object-store", proxy: "to-object-store", internal: "to-object-store" },
          pods,
          callsOf(egress, "database"),
          proxy,
        );
  const acme = a.prod.certManager.issuer === "acme";
  const scratch: Peer[] = drillNamespace ? [{ namespace: drillNamespace, pods: SCRATCH_PODS }] : [];
  const drMirror = a.drMirror ?? false;
  const drJob = (job: string, pods: Labels, internet: string): Flow[] =>
    externalEgress(
      { internet, proxy: `${job}-to-proxy`, internal: `${job}-to-internal` },
      pods,
      callsOf(egress, "dr-jobs"),
      proxy,
    );

  const harbor: Flow[] = [
    ...harborFlows({
      namespace: ns.harbor,
      net,
      exposure: a.exposure,
      acmeSolver: acme || (a.clusterIssuer ?? false),
      egress,
      proxy,
    }),
    {
      name: "to-database",
      direction: "egress",
      peers: [{ namespace: ns.database, pods: dbPods }],
      ports: [{ port: 5432 }],
    },
    {
      name: "to-redis",
      direction: "egress",
      peers: [{ namespace: ns.redis, pods: REDIS_PODS }],
      ports: [{ port: REDIS_PORT }, { port: SENTINEL_PORT }],
    },
    // Harbor's registry reaches an external object store by the registry-to-* flows.
    ...(ns.minio ? toObjectStore() : []),
  ];

  const certManager: Flow[] = [
    apiServerFlow(api),
    { name: "webhook", direction: "ingress", peers: [{ cidrs: api }], ports: [{ port: 10250 }] },
    monitoring([9402]),
    // The ACME server, and the HTTP-01 self-check of the public name.
    ...(acme
      ? externalEgress(
          { internet: "to-acme", proxy: "to-proxy", internal: "to-internal" },
          undefined,
          callsOf(egress, "cert-manager"),
          proxy,
        )
      : []),
  ];

  const cnpg: Flow[] = [
    apiServerFlow(api),
    { name: "webhook", direction: "ingress", peers: [{ cidrs: api }], ports: [{ port: 9443 }] },
    // The operator calls the barman-cloud plugin over gRPC in the same namespace.
    ...sameNamespaceFlows(ns.cnpg),
    {
      name: "to-instances",
      direction: "egress",
      peers: [{ namespace: ns.database, pods: dbPods }, ...scratch],
      ports: [{ port: 8000 }, { port: 5432 }],
    },
    monitoring([8080]),
  ];

  const database: Flow[] = [
    {
      name: "from-harbor",
      direction: "ingress",
      pods: dbPods,
      peers: [{ namespace: ns.harbor, pods: HARBOR_PODS }],
      ports: [{ port: 5432 }],
    },
    {
      name: "from-operator",
      direction: "ingress",
      pods: dbPods,
      peers: [{ namespace: ns.cnpg }],
      ports: [{ port: 8000 }, { port: 5432 }],
    },
    // Streaming replication and instance-manager status between instances.
    ...sameNamespaceFlows(ns.database),
    monitoring([9187]),
    // The instance manager watches its Cluster; the plugin sidecar ships WAL and base backups.
    apiServerFlow(api),
    ...toObjectStore(),
  ];

  const redis: Flow[] = [
    {
      name: "from-harbor",
      direction: "ingress",
      pods: REDIS_PODS,
      peers: [{ namespace: ns.harbor, pods: HARBOR_PODS }],
      ports: [{ port: REDIS_PORT }, { port: SENTINEL_PORT }],
    },
    // Replication and sentinel gossip.
    ...sameNamespaceFlows(ns.redis, [{ port: REDIS_PORT }, { port: SENTINEL_PORT }]),
    // The Redis exporter sidecar and the Sentinel exporter the monitoring values add.
    monitoring([REDIS_EXPORTER_PORT, SENTINEL_EXPORTER_PORT]),
  ];

  const out: Record<string, Flow[]> = { harbor, certManager, cnpg, database, redis };
  if (ns.minio) {
    out.minio = [
      {
        name: "from-clients",
        direction: "ingress",
        pods: MINIO_POD_LABELS,
        peers: [
          { namespace: ns.harbor, pods: HARBOR_PODS },
          { namespace: ns.database, pods: dbPods },
          ...scratch,
        ],
        ports: [{ port: MINIO_PORT }],
      },
      // Erasure-set peers, the chart's bucket/user/policy jobs, and the DR mirror and refill
      // pods reading (writing) MinIO: they run in this namespace, next to its Secrets.
      ...sameNamespaceFlows(ns.minio, [{ port: MINIO_PORT }]),
      // MinIO, and the mirror's rclone while a run lasts.
      monitoring(drMirror ? [MINIO_PORT, RCLONE_METRICS_PORT] : [MINIO_PORT]),
      ...(drMirror
        ? [
            ...drJob("dr-mirror", DR_MIRROR_PODS, "dr-mirror-to-aws-s3"),
            ...drJob("dr-refill", DR_REFILL_PODS, "dr-refill-from-aws-s3"),
          ]
        : []),
      ...(drillNamespace ? drJob("dr-blob-drill", BLOB_DRILL_PODS, "dr-blob-drill-from-aws-s3") : []),
    ];
  }
  if (drillNamespace) {
    // The drill Job talks only to the API server (kubectl); the scratch cluster's instance
    // manager too, and it restores from MinIO; the operator checks on the instance.
    out.drill = [
      apiServerFlow(api),
      {
        name: "from-operator",
        direction: "ingress",
        pods: SCRATCH_PODS,
        peers: [{ namespace: ns.cnpg }],
        ports: [{ port: 8000 }, { port: 5432 }],
      },
      ...toObjectStore(SCRATCH_PODS),
    ];
  }
  return out;
}
