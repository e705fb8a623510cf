// Kubernetes NetworkPolicy semantics (networking.k8s.io/v1, as documented in the API reference
// and concepts/services-networking/network-policies at v1.34): a connection is admitted when the
// sender's namespace admits it as egress AND the receiver's namespace admits it as ingress. A pod
// is isolated in a direction as soon as one policy with that policyType selects it; then some
// rule of some such policy must match the peer and the port. Evaluated over the NetworkPolicies a
// stack run registers, so tests check what the engine would apply, not the flow table.
import * as net from "net";
import { ALL_PODS_POLICY, FLOWS_ANNOTATION, type PolicyFlows } from "../../components/network-policy";
import { at, type Registered, type StackRun } from "../harness";

type Obj = Record<string, unknown>;
export type Labels = Readonly<Record<string, string>>;

export interface Policy {
  readonly namespace: string;
  readonly name: string;
  readonly spec: Obj;
}

/**
 * One end of a connection: pods in a namespace (labels undefined: pods whose labels we do not
 * know, such as the cluster's Prometheus, which only a selector naming no pods can match), or an
 * address outside the cluster (the API server, an S3 endpoint, a syslog host).
 */
export type Endpoint = { readonly namespace: string; readonly labels?: Labels } | { readonly ip: string };

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function policiesOf(run: StackRun): Policy[] {
  return run.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => ({
    namespace: String(at(p.inputs, "metadata.namespace")),
    name: String(at(p.inputs, "metadata.name")),
    spec: p.inputs.spec as Obj,
  }));
}

/** A flow's rule where the stack registered it, and the one-flow policy it amounts to. */
export interface FlowPolicy {
  /** The registered policy that holds the rule (one per pod selector). */
  readonly policy: Registered;
  readonly direction: "ingress" | "egress";
  /** Index of the flow's rule in the policy's rules of that direction. */
  readonly index: number;
  /** `{podSelector, policyTypes: [direction], [direction]: [rule]}`: one policy admitting this flow alone. */
  readonly spec: Obj;
}

/** The flows of a namespace's policies, in order, as their FLOWS_ANNOTATION names them. */
export function flowPolicies(run: StackRun, namespace: string): Map<string, FlowPolicy> {
  const found = new Map<string, FlowPolicy>();
  for (const policy of run.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
    if (at(policy.inputs, "metadata.namespace") !== namespace) continue;
    const flows = JSON.parse(
      String(at(policy.inputs, `metadata.annotations.${FLOWS_ANNOTATION}`)),
    ) as PolicyFlows;
    for (const direction of ["ingress", "egress"] as const) {
      const rules = (at(policy.inputs, `spec.${direction}`) ?? []) as Obj[];
      if (rules.length !== flows[direction].length)
        throw new Error(`${FLOWS_ANNOTATION} does not name each rule`);
      flows[direction].forEach((name, index) =>
        found.set(name, {
          policy,
          direction,
          index,
          spec: {
            podSelector: at(policy.inputs, "spec.podSelector"),
            policyTypes: [direction === "ingress" ? "Ingress" : "Egress"],
            [direction]: [rules[index]],
          },
        }),
      );
    }
  }
  return found;
}

/** The namespace's `all-pods` policy selects every pod and denies, in and out, what no rule admits. */
export function expectDefaultDeny(run: StackRun, namespace: string): void {
  const all = run
    .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    .filter(
      (p) =>
        at(p.inputs, "metadata.namespace") === namespace && at(p.inputs, "metadata.name") === ALL_PODS_POLICY,
    );
  if (all.length !== 1) throw new Error(`${namespace}: ${all.length} ${ALL_PODS_POLICY} policies`);
  const spec = all[0].inputs.spec as Obj;
  if (
    JSON.stringify(spec.podSelector) !== "{}" ||
    JSON.stringify(spec.policyTypes) !== '["Ingress","Egress"]'
  )
    throw new Error(`${namespace}: ${ALL_PODS_POLICY} is not a default deny: ${JSON.stringify(spec)}`);
}

/** One flow of a namespace (throws when the namespace has no such flow). */
export function flowPolicy(run: StackRun, namespace: string, flow: string): FlowPolicy {
  const found = flowPolicies(run, namespace).get(flow);
  if (!found) throw new Error(`no flow ${flow} in ${namespace}`);
  return found;
}

/** A label selector (matchLabels and matchExpressions) against labels; unknown labels match only `{}`. */
export function selects(selector: unknown, labels: Labels | undefined): boolean {
  const s = isObj(selector) ? selector : {};
  const ml = (s.matchLabels ?? {}) as Labels;
  const me = (s.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[];
  if (labels === undefined) return Object.keys(ml).length === 0 && me.length === 0;
  return (
    Object.entries(ml).every(([k, v]) => labels[k] === v) &&
    me.every((e) => {
      const has = e.key in labels;
      const inValues = has && (e.values ?? []).includes(labels[e.key]);
      switch (e.operator) {
        case "In":
          return inValues;
        case "NotIn":
          return !inValues;
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          throw new Error(`unknown selector operator ${e.operator}`);
      }
    })
  );
}

/** Whether `ip` lies in `cidr` (IPv4 or IPv6). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const family = net.isIP(base) === 6 ? "ipv6" : "ipv4";
  if (net.isIP(ip) !== net.isIP(base)) return false;
  const list = new net.BlockList();
  list.addSubnet(base, Number(bits), family);
  return list.check(ip, family);
}

/** A NetworkPolicyPeer (in a policy of `policyNamespace`) against the other end of the connection. */
function peerMatches(peer: Obj, policyNamespace: string, other: Endpoint): boolean {
  if (isObj(peer.ipBlock)) {
    // ipBlock is meant for addresses outside the cluster; pod IPs it may or may not match
    // (the API reference): never counted for a pod.
    if (!("ip" in other)) return false;
    const block = peer.ipBlock as { cidr: string; except?: string[] };
    return inCidr(other.ip, block.cidr) && !(block.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if ("ip" in other) return false;
  const namespaceOk = isObj(peer.namespaceSelector)
    ? selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, other.labels));
}

function portMatches(ports: unknown, port: number, protocol: string): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return (ports as { port?: number | string; endPort?: number; protocol?: string }[]).some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") throw new Error(`named port ${p.port}: give the evaluator the number`);
    return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  });
}

/** Whether the policies of `self`'s namespace admit the connection in `direction`. */
function sideAdmits(
  policies: readonly Policy[],
  direction: "Ingress" | "Egress",
  self: Endpoint,
  other: Endpoint,
  port: number,
  protocol: string,
): boolean {
  if ("ip" in self) return true;
  const isolating = policies.filter(
    (p) =>
      p.namespace === self.namespace &&
      selects(p.spec.podSelector, self.labels) &&
      ((p.spec.policyTypes as string[] | undefined) ?? ["Ingress"]).includes(direction),
  );
  if (isolating.length === 0) return true;
  const rulesKey = direction === "Ingress" ? "ingress" : "egress";
  const peersKey = direction === "Ingress" ? "from" : "to";
  return isolating.some((p) =>
    ((p.spec[rulesKey] ?? []) as Obj[]).some((rule) => {
      const peers = rule[peersKey] as Obj[] | undefined;
      const peerOk =
        peers === undefined || peers.length === 0 || peers.some((x) => peerMatches(x, p.namespace, other));
      return peerOk && portMatches(rule.ports, port, protocol);
    }),
  );
}

export interface Verdict {
  readonly egress: boolean;
  readonly ingress: boolean;
}

/** Sender's egress and receiver's ingress for one connection to `port`. */
export function admits(
  policies: readonly Policy[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: "TCP" | "UDP" = "TCP",
): Verdict {
  return {
    egress: sideAdmits(policies, "Egress", from, to, port, protocol),
    ingress: sideAdmits(policies, "Ingress", to, from, port, protocol),
  };
}
