// Deny-by-default NetworkPolicies for a namespace the project owns, admitting the flows the
// topology needs: one policy per set of pods the flows select, each flow one rule of it. Rules
// and policies add up (a pod's traffic is admitted if any rule of any policy selecting it
// admits it), so merging the flows of one pod selector admits exactly what one policy per flow
// did, and registers a third as many resources. The builder is pure (tested without mocks); the
// component registers it.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformNamespace } from "../namespace";
import type { Destination, ProxyConfig } from "../../config";
import { inCluster, route, type Caller } from "../../config/proxy";
import { parseIp } from "../../policy/concepts/network";

export type Labels = Readonly<Record<string, string>>;

/** One side of a flow: pods in a namespace (all when no labels), or address ranges. */
export type Peer =
  { readonly namespace: string; readonly pods?: Labels } | { readonly cidrs: readonly string[] };

export interface Port {
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
}

export interface Flow {
  /** Names the flow's rule in its policy's FLOWS_ANNOTATION; unique in a namespace. */
  readonly name: string;
  readonly direction: "ingress" | "egress";
  /** The pods of this namespace the flow applies to; all pods when omitted. */
  readonly pods?: Labels;
  readonly peers: readonly Peer[];
  /** Ports on the receiving side; every port when omitted. */
  readonly ports?: readonly Port[];
}

export interface PolicyManifest {
  readonly name: string;
  /** FLOWS_ANNOTATION's value: the flow of each rule, in order, per direction. */
  readonly flows: PolicyFlows;
  readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

export interface PolicyFlows {
  readonly ingress: readonly string[];
  readonly egress: readonly string[];
}

/**
 * Which flow each rule admits, for whoever reads the policy (`kubectl describe`, the tests):
 * `{"ingress":["metrics-scrape"],"egress":["dns","kube-api"]}`, the i-th name for the i-th rule.
 */
export const FLOWS_ANNOTATION = "harbor-platform/flows";

/** The policy of every pod in the namespace: it denies what no rule admits. */
export const ALL_PODS_POLICY = "all-pods";

/** Namespaces are selected by the label Kubernetes sets on every namespace. */
function peer(p: Peer): Record<string, unknown>[] {
  if ("cidrs" in p) return p.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } },
      ...(p.pods ? { podSelector: { matchLabels: p.pods } } : {}),
    },
  ];
}

export const DNS_FLOW: Flow = {
  name: "dns",
  direction: "egress",
  peers: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};

/** Egress to the Kubernetes API server (operators, instance managers, jobs that read Secrets). */
export function apiServerFlow(cidrs: readonly string[], pods?: Labels): Flow {
  return {
    name: "kube-api",
    direction: "egress",
    ...(pods ? { pods } : {}),
    peers: [{ cidrs }],
    ports: [{ port: 443 }, { port: 6443 }],
  };
}

/** Every address: what an egress flow to a name outside the cluster must allow. */
export const ANY_ADDRESS = ["0.0.0.0/0", "::/0"] as const;

/** Every IPv4 address: what a call to a name outside the cluster may resolve to. */
export const ANYWHERE: Peer = { cidrs: [ANY_ADDRESS[0]] };

/** The names of an external call's flows: without a proxy, through it, and around it. */
export interface EgressNames {
  readonly internet: string;
  readonly proxy: string;
  readonly internal: string;
}

const portsOf = (ds: readonly Destination[]): Port[] =>
  [...new Set(ds.map((d) => d.port))].sort((x, y) => x - y).map((port) => ({ port }));

/**
 * Egress of calls out of the cluster. Without a proxy: anywhere, on the ports dialled (names
 * resolve to addresses no NetworkPolicy can know), or only the addresses when all are given as such. With one: the proxy's addresses and ports for
 * what it carries, and `proxy.internalCidrs` on the dialled ports for what skips it; nothing
 * to 0.0.0.0/0. Calls inside the cluster are the in-cluster flows' business.
 */
export function externalEgress(
  names: EgressNames,
  pods: Labels | undefined,
  dests: readonly Destination[],
  proxy: ProxyConfig | undefined,
): Flow[] {
  const selector = pods ? { pods } : {};
  const flow = (name: string, peers: Peer[], ports: Port[]): Flow => ({
    name,
    direction: "egress",
    ...selector,
    peers,
    ports,
  });
  if (dests.length === 0) return [];
  if (!proxy) {
    // An endpoint given as an IP address is reached at that address only (an IPv6 one too).
    const ips = dests.map((d) => (d.host === "*" ? undefined : parseIp(d.host)));
    const peers: Peer[] = ips.every((ip) => ip !== undefined)
      ? [{ cidrs: [...new Set(ips.map((ip) => `${ip.address}/${ip.kind === "ipv4" ? 32 : 128}`))] }]
      : [ANYWHERE];
    return [flow(names.internet, peers, portsOf(dests))];
  }
  const outside = dests.filter((d) => d.host === "*" || !inCluster(d.host, proxy));
  const viaProxy = outside.filter((d) => route(d, proxy) === "proxy");
  const direct = outside.filter((d) => route(d, proxy) === "direct");
  return [
    ...(viaProxy.length > 0
      ? [
          flow(
            names.proxy,
            [{ cidrs: proxy.cidrs }],
            proxy.ports.map((port) => ({ port })),
          ),
        ]
      : []),
    ...(direct.length > 0 ? [flow(names.internal, [{ cidrs: proxy.internalCidrs }], portsOf(direct))] : []),
  ];
}

/** A caller's share of the config's external calls. */
export const callsOf = (egress: readonly Destination[], caller: Caller): Destination[] =>
  egress.filter((d) => d.caller === caller);

/** Ingress and egress among the pods of one namespace (replication, gossip, sidecars). */
export function sameNamespaceFlows(namespace: string, ports?: readonly Port[]): Flow[] {
  return (["ingress", "egress"] as const).map((direction) => ({
    name: `same-namespace-${direction}`,
    direction,
    peers: [{ namespace }],
    ...(ports ? { ports } : {}),
  }));
}

/** A policy's name from the labels that select its pods: `{app: harbor, component: core}` is `harbor-core`. */
function selectorName(pods: Labels): string {
  return [...new Set(Object.values(pods))].join("-");
}

/**
 * The namespace's policies: `all-pods` (every pod, ingress and egress denied but for its rules,
 * DNS to kube-dns first), then one per other pod selector, with only the directions its flows
 * have — a policy that only admits egress does not start denying its pods' ingress.
 */
export function networkPolicies(flows: readonly Flow[]): PolicyManifest[] {
  const all = [DNS_FLOW, ...flows];
  const names = new Set<string>();
  for (const f of all) {
    if (names.has(f.name)) throw new Error(`two flows named ${f.name}`);
    names.add(f.name);
  }
  type Group = { pods?: Labels; ingress: Flow[]; egress: Flow[] };
  // Keyed by the selector as the API server compares it: the labels, in any order (`{}`: all pods).
  const key = (pods?: Labels) => JSON.stringify(Object.entries(pods ?? {}).sort());
  const groups = new Map<string, Group>([[key(), { ingress: [], egress: [] }]]);
  for (const f of all) {
    const k = key(f.pods);
    if (!groups.has(k)) groups.set(k, { pods: f.pods, ingress: [], egress: [] });
    groups.get(k)![f.direction].push(f);
  }
  const rule = (f: Flow) => ({
    [f.direction === "ingress" ? "from" : "to"]: f.peers.flatMap(peer),
    ...(f.ports ? { ports: f.ports.map((p) => ({ protocol: p.protocol ?? "TCP", port: p.port })) } : {}),
  });
  const policyNames = new Set<string>();
  return [...groups.values()].map((g) => {
    const name = g.pods ? selectorName(g.pods) : ALL_PODS_POLICY;
    if (policyNames.has(name)) throw new Error(`two pod selectors make the policy name ${name}`);
    policyNames.add(name);
    // All pods: both directions always (the default deny); other selectors: their flows'.
    const types = g.pods
      ? (["ingress", "egress"] as const).filter((d) => g[d].length > 0)
      : (["ingress", "egress"] as const);
    return {
      name,
      flows: { ingress: g.ingress.map((f) => f.name), egress: g.egress.map((f) => f.name) },
      spec: {
        podSelector: g.pods ? { matchLabels: g.pods } : {},
        policyTypes: types.map((d) => (d === "ingress" ? "Ingress" : "Egress")),
        ...(g.ingress.length > 0 ? { ingress: g.ingress.map(rule) } : {}),
        ...(g.egress.length > 0 ? { egress: g.egress.map(rule) } : {}),
      },
    };
  });
}

/**
 * The flows with each egress peer of every address (0.0.0.0/0, ::/0) replaced by `site`: on an
 * air-gapped site what lies outside the cluster is reachable only within the site's own ranges
 * (`mirror.siteCidrs`). Other peers (the API server, pods) and ingress are unchanged.
 */
export function confineEgress(flows: readonly Flow[], site: readonly string[] | undefined): Flow[] {
  if (site === undefined) return [...flows];
  const any = (c: string) => (ANY_ADDRESS as readonly string[]).includes(c);
  return flows.map((f) =>
    f.direction === "egress" && f.peers.some((p) => "cidrs" in p && p.cidrs.some(any))
      ? {
          ...f,
          peers: f.peers.map((p) =>
            "cidrs" in p && p.cidrs.some(any)
              ? { cidrs: [...new Set([...p.cidrs.filter((c) => !any(c)), ...site])] }
              : p,
          ),
        }
      : f,
  );
}

export interface NamespacePoliciesArgs {
  readonly namespace: PlatformNamespace;
  readonly flows: readonly Flow[];
  readonly provider?: k8s.Provider;
  /** An air-gapped site's ranges: egress to any address is narrowed to them (confineEgress). */
  readonly siteCidrs?: readonly string[];
}

/**
 * Registers `networkPolicies(flows)` in one namespace, as children of `opts.parent` (no component
 * of their own: each registration costs the plan time, and a component would group nothing the
 * names do not). Returns the policies' names.
 */
export function namespacePolicies(
  name: string,
  args: NamespacePoliciesArgs,
  opts?: pulumi.CustomResourceOptions,
): string[] {
  const ns = args.namespace.name;
  const manifests = networkPolicies(confineEgress(args.flows, args.siteCidrs));
  for (const m of manifests) {
    new k8s.networking.v1.NetworkPolicy(
      `${name}-${m.name}`,
      {
        metadata: {
          name: m.name,
          namespace: ns,
          annotations: { [FLOWS_ANNOTATION]: JSON.stringify(m.flows) },
        },
        spec: m.spec,
      },
      { ...opts, provider: args.provider, dependsOn: [args.namespace.namespace] },
    );
  }
  return manifests.map((m) => m.name);
}
