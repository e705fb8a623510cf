// The traffic the prod topology needs, per namespace: everything else is denied.
import type { Exposure, NetworkPolicySettings, ProdSettings } from "../../config";
import type { HarborConfigurationSpec } from "../../config/harbor-config";
import { CLUSTER_LABEL } from "../database";
import { apiServerFlow, sameNamespaceFlows, type Flow, type Peer } from "../network-policy";
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
const ANYWHERE = { cidrs: ["0.0.0.0/0"] } as const;

function scrape(net: NetworkPolicySettings, ports: number[]): Flow {
  return {
    name: "metrics-scrape",
    direction: "ingress",
    peers: [{ namespace: net.monitoringNamespace }],
    ports: ports.map((port) => ({ port })),
  };
}

export interface HarborFlowArgs {
  readonly namespace: string;
  readonly net: NetworkPolicySettings;
  readonly exposure: Exposure;
  /** cert-manager's HTTP-01 solver pods answer in Harbor's namespace on 8089. */
  readonly acmeSolver?: boolean;
  /** Port of the syslog endpoint Harbor core forwards its audit log to (TCP). */
  readonly auditLogSyslogPort?: number;
  /** Ports beyond 443 the config makes Harbor dial (configuredEgressPorts). */
  readonly egressPorts?: readonly number[];
}

/**
 * The ports Harbor's registries, OIDC and LDAP URLs dial (their own, or the scheme's default).
 * Issue 13 (branch w-charts) narrows these per component; until then they join the https egress.
 */
export function configuredEgressPorts(spec: HarborConfigurationSpec): number[] {
  const defaults: Record<string, number> = { "https:": 443, "http:": 80, "ldaps:": 636, "ldap:": 389 };
  const auth = spec.settings.auth;
  const urls = [
    ...spec.registries.map((r) => r.url),
    ...(auth ? [auth.kind === "oidc" ? auth.endpoint : auth.url] : []),
  ];
  return [
    ...new Set(urls.map((u) => new URL(u)).map((u) => (u.port ? Number(u.port) : defaults[u.protocol]))),
  ];
}

/** Harbor's namespace in either topology; prod adds its egress to the data tier. */
export function harborFlows(a: HarborFlowArgs): Flow[] {
  return [
    {
      name: "from-ingress",
      direction: "ingress",
      // A LoadBalancer Service brings client traffic from anywhere to nginx.
      peers: [a.exposure.kind === "loadBalancer" ? ANYWHERE : { namespace: a.net.ingressNamespace }],
      // Harbor's HTTP/HTTPS container ports (nginx, core, portal).
      ports: [{ port: 8080 }, { port: 8443 }, ...(a.acmeSolver ? [{ port: 8089 }] : [])],
    },
    scrape(a.net, [8001]),
    // core, jobservice, registry, portal, trivy (and in dev the internal database and Redis).
    ...sameNamespaceFlows(a.namespace),
    // Trivy's vulnerability DB, replication and proxy-cache upstreams (and an external S3).
    {
      name: "to-internet-https",
      direction: "egress",
      peers: [ANYWHERE],
      ports: [...new Set([443, ...(a.egressPorts ?? [])])].map((port) => ({ port })),
    },
    ...(a.auditLogSyslogPort
      ? [
          {
            name: "to-audit-syslog",
            direction: "egress" as const,
            pods: { ...HARBOR_PODS, component: "core" },
            peers: [ANYWHERE],
            ports: [{ port: a.auditLogSyslogPort }],
          },
        ]
      : []),
  ];
}

/** Pod labels of the DR mirror CronJob's and the refill Job's pods (components/dr). */
export const DR_MIRROR_PODS = { "app.kubernetes.io/name": "dr-mirror" } as const;
export const DR_REFILL_PODS = { "app.kubernetes.io/name": "dr-refill" } as const;

/**
 * Velero's namespace: the kube API (it reads and writes every resource it backs up or
 * restores; the chart's CRD-upgrade hook too), https to AWS S3 (the DR bucket), metrics.
 * S3 publishes no stable CIDRs a NetworkPolicy could name, so 443 goes anywhere.
 */
export function veleroFlows(net: NetworkPolicySettings): Flow[] {
  return [
    apiServerFlow(net.apiServerCidrs),
    { name: "to-aws-s3", direction: "egress", peers: [ANYWHERE], ports: [{ port: 443 }] },
    scrape(net, [8085]),
  ];
}

export function prodFlows(
  ns: ProdNamespaces,
  p: ProdSettings,
  net: NetworkPolicySettings,
  exposure: Exposure,
  clusterName: string,
  /** Whether the DR mirror (and the refill in restore mode) runs in MinIO's namespace. */
  drMirror = false,
  auditLogSyslogPort?: number,
  /** The restore drill's namespace: its scratch cluster restores from MinIO (with the mirror). */
  drillNamespace?: string,
  egressPorts?: readonly number[],
): Record<string, Flow[]> {
  const api = net.apiServerCidrs;
  const monitoring = (ports: number[]) => scrape(net, ports);
  const dbPods = { [CLUSTER_LABEL]: clusterName };
  // The object store: MinIO's pods, or any S3 endpoint over https.
  const objectStore: { peers: Peer[]; port: number } = ns.minio
    ? { peers: [{ namespace: ns.minio, pods: MINIO_POD_LABELS }], port: MINIO_PORT }
    : { peers: [ANYWHERE], port: 443 };
  const acme = p.certManager.issuer === "acme";
  const scratch: Peer[] = drillNamespace ? [{ namespace: drillNamespace, pods: SCRATCH_PODS }] : [];

  const harbor: Flow[] = [
    ...harborFlows({
      namespace: ns.harbor,
      net,
      exposure,
      acmeSolver: acme,
      auditLogSyslogPort,
      egressPorts,
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
    ...(ns.minio
      ? [
          {
            name: "to-object-store",
            direction: "egress" as const,
            peers: objectStore.peers,
            ports: [{ port: objectStore.port }],
          },
        ]
      : []),
  ];

  const certManager: Flow[] = [
    apiServerFlow(api),
    { name: "webhook", direction: "ingress", peers: [{ cidrs: api }], ports: [{ port: 10250 }] },
    monitoring([9402]),
    ...(acme
      ? [
          {
            name: "to-acme",
            direction: "egress" as const,
            peers: [ANYWHERE],
            ports: [{ port: 443 }, { port: 80 }],
          },
        ]
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
    {
      name: "to-object-store",
      direction: "egress",
      peers: objectStore.peers,
      ports: [{ port: objectStore.port }],
    },
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
            {
              name: "dr-mirror-to-aws-s3",
              direction: "egress" as const,
              pods: DR_MIRROR_PODS,
              peers: [ANYWHERE],
              ports: [{ port: 443 }],
            },
            {
              name: "dr-refill-from-aws-s3",
              direction: "egress" as const,
              pods: DR_REFILL_PODS,
              peers: [ANYWHERE],
              ports: [{ port: 443 }],
            },
          ]
        : []),
      ...(drillNamespace
        ? [
            {
              name: "dr-blob-drill-from-aws-s3",
              direction: "egress" as const,
              pods: BLOB_DRILL_PODS,
              peers: [ANYWHERE],
              ports: [{ port: 443 }],
            },
          ]
        : []),
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
      {
        name: "to-object-store",
        direction: "egress",
        pods: SCRATCH_PODS,
        peers: objectStore.peers,
        ports: [{ port: objectStore.port }],
      },
    ];
  }
  return out;
}
