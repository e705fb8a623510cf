// Deny-by-default NetworkPolicies for a namespace the project owns, plus one policy per flow
// the topology needs. The builder is pure (tested without mocks); the component registers it.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformNamespace } from "../namespace";

export type Labels = Readonly<Record<string, string>>;

/** One side of a flow: pods in a namespace (all when no labels), or address ranges. */
export type Peer =
  { readonly namespace: string; readonly pods?: Labels } | { readonly cidrs: readonly string[] };

export interface Port {
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
}

export interface Flow {
  /** Suffix of the NetworkPolicy's name: `allow-<name>`. */
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
  readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

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

/** Ingress and egress among the pods of one namespace (replication, gossip, sidecars). */
export function sameNamespaceFlows(namespace: string, ports?: readonly Port[]): Flow[] {
  return (["ingress", "egress"] as const).map((direction) => ({
    name: `same-namespace-${direction}`,
    direction,
    peers: [{ namespace }],
    ...(ports ? { ports } : {}),
  }));
}

/** `default-deny` first, DNS egress second, then one policy per flow. */
export function networkPolicies(flows: readonly Flow[]): PolicyManifest[] {
  const all = [DNS_FLOW, ...flows];
  const names = new Set<string>();
  for (const f of all) {
    if (names.has(f.name)) throw new Error(`two flows named ${f.name}`);
    names.add(f.name);
  }
  return [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    ...all.map((f) => {
      const rule = {
        [f.direction === "ingress" ? "from" : "to"]: f.peers.flatMap(peer),
        ...(f.ports ? { ports: f.ports.map((p) => ({ protocol: p.protocol ?? "TCP", port: p.port })) } : {}),
      };
      return {
        name: `allow-${f.name}`,
        spec: {
          podSelector: f.pods ? { matchLabels: f.pods } : {},
          policyTypes: [f.direction === "ingress" ? "Ingress" : "Egress"],
          [f.direction]: [rule],
        },
      };
    }),
  ];
}

export interface NamespacePoliciesArgs {
  readonly namespace: PlatformNamespace;
  readonly flows: readonly Flow[];
  readonly provider?: k8s.Provider;
}

/** Registers `networkPolicies(flows)` in one namespace. */
export class NamespacePolicies extends pulumi.ComponentResource {
  readonly names: string[];

  constructor(name: string, args: NamespacePoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:network-policy:NamespacePolicies", name, {}, opts);
    const ns = args.namespace.name;
    const manifests = networkPolicies(args.flows);
    for (const m of manifests) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${m.name}`,
        { metadata: { name: m.name, namespace: ns }, spec: m.spec },
        { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] },
      );
    }
    this.names = manifests.map((m) => m.name);
    this.registerOutputs({ names: this.names });
  }
}
