// The traffic the prod topology needs, per namespace: everything else is denied.
import type { Exposure, NetworkPolicySettings, ProdSettings } from "../../config";
import type { HarborConfigurationSpec } from "../../config/harbor-config";
import { parseIp } from "../../policy/concepts/network";
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

/** An endpoint given as an IP address is reached at that address only (an IPv6 one too); a name anywhere. */
function addressPeer(host: string): Peer {
  const ip = parseIp(host);
  return ip ? { cidrs: [`${ip.address}/${ip.kind === "ipv4" ? 32 : 128}`] } : ANYWHERE;
}

function scrape(net: NetworkPolicySettings, ports: number[]): Flow {
  return {
    name: "metrics-scrape",
    direction: "ingress",
    peers: [{ namespace: net.monitoringNamespace }],
    ports: ports.map((port) => ({ port })),
  };
}

/** Harbor's components that call out of the cluster. */
export type HarborCaller = "core" | "jobservice" | "trivy" | "registry";

/** The port a URL dials: its own, or its scheme's default (ldap 389, ldaps 636). */
export function urlPort(url: string): number {
  const u = new URL(url);
  if (u.port !== "") return Number(u.port);
  const defaults: Record<string, number> = { "https:": 443, "http:": 80, "ldaps:": 636, "ldap:": 389 };
  return defaults[u.protocol] ?? 443;
}

/**
 * The ports each Harbor component dials outside the cluster, from the config: core serves
 * proxy-cache pulls and logs users in (OIDC, LDAP); jobservice replicates; trivy downloads its
 * databases (443); the registry writes to an external S3 endpoint.
 */
export function harborEgress(a: {
  readonly harborConfig: HarborConfigurationSpec;
  readonly objectStoreEndpoint?: string;
}): Record<HarborCaller, number[]> {
  const auth = a.harborConfig.settings.auth;
  const registries = a.harborConfig.registries.map((r) => urlPort(r.url));
  const login = auth ? [urlPort(auth.kind === "oidc" ? auth.endpoint : auth.url)] : [];
  const unique = (ports: number[]) => [...new Set(ports)].sort((x, y) => x - y);
  return {
    core: unique([443, ...registries, ...login]),
    jobservice: unique([443, ...registries]),
    trivy: [443],
    registry: a.objectStoreEndpoint ? [urlPort(a.objectStoreEndpoint)] : [],
  };
}

/** Egress with no configured endpoint: https for core, jobservice and trivy. */
const harborEgressDefault: Record<HarborCaller, number[]> = {
  core: [443],
  jobservice: [443],
  trivy: [443],
  registry: [],
};

export interface HarborFlowArgs {
  readonly namespace: string;
  readonly net: NetworkPolicySettings;
  readonly exposure: Exposure;
  /** What each component dials outside the cluster (harborEgress). */
  readonly egress: Readonly<Record<HarborCaller, readonly number[]>>;
  /** cert-manager's HTTP-01 solver pods answer in Harbor's namespace on 8089. */
  readonly acmeSolver?: boolean;
  /** The syslog endpoint Harbor core forwards its audit log to (TCP). */
  readonly auditLogSyslog?: { readonly host: string; readonly port: number };
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
    ...(Object.entries(a.egress) as [HarborCaller, readonly number[]][])
      .filter(([, ports]) => ports.length > 0)
      .map(([component, ports]): Flow => ({
        name: `${component}-to-internet`,
        direction: "egress",
        pods: { ...HARBOR_PODS, component },
        peers: [ANYWHERE],
        ports: ports.map((port) => ({ port })),
      })),
    ...(a.auditLogSyslog
      ? [
          {
            name: "to-audit-syslog",
            direction: "egress" as const,
            pods: { ...HARBOR_PODS, component: "core" },
            peers: [addressPeer(a.auditLogSyslog.host)],
            ports: [{ port: a.auditLogSyslog.port }],
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
  auditLogSyslog?: { readonly host: string; readonly port: number },
  /** The restore drill's namespace: its scratch cluster restores from MinIO (with the mirror). */
  drillNamespace?: string,
  /** What Harbor's components dial outside the cluster (harborEgress). */
  egress: Readonly<Record<HarborCaller, readonly number[]>> = harborEgressDefault,
  /** The cluster's own ClusterIssuer signs the public certificate: it may solve HTTP-01 in Harbor's namespace. */
  clusterIssuer = false,
): Record<string, Flow[]> {
  const api = net.apiServerCidrs;
  const monitoring = (ports: number[]) => scrape(net, ports);
  const dbPods = { [CLUSTER_LABEL]: clusterName };
  // The object store: MinIO's pods, or any S3 endpoint over https.
  const objectStore: { peers: Peer[]; port: number } = ns.minio
    ? { peers: [{ namespace: ns.minio, pods: MINIO_POD_LABELS }], port: MINIO_PORT }
    : {
        peers: [ANYWHERE],
        port: p.objectStore.mode === "external" ? urlPort(p.objectStore.endpoint) : 443,
      };
  const acme = p.certManager.issuer === "acme";
  const scratch: Peer[] = drillNamespace ? [{ namespace: drillNamespace, pods: SCRATCH_PODS }] : [];

  const harbor: Flow[] = [
    ...harborFlows({
      namespace: ns.harbor,
      net,
      exposure,
      acmeSolver: acme || clusterIssuer,
      auditLogSyslog,
      egress,
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
