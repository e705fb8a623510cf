// NetworkPolicy evaluation with Kubernetes' semantics, over what a stack registers: a pod is
// isolated for a direction once any policy of that type selects it; then only what some rule of
// those policies admits passes (kubernetes.io/docs/concepts/services-networking/network-policies).
import { at, type StackRun } from "../harness";

type Obj = Record<string, unknown>;
export type Labels = Readonly<Record<string, string>>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Policy {
  readonly namespace: string;
  readonly name: string;
  readonly spec: Obj;
}

export function policies(run: StackRun): Policy[] {
  return run.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => ({
    namespace: String(at(p.inputs, "metadata.namespace")),
    name: String(at(p.inputs, "metadata.name")),
    spec: p.inputs.spec as Obj,
  }));
}

export const selects = (selector: Labels, labels: Labels): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const matchLabelsOf = (selector: unknown): Labels => (at(selector, "matchLabels") ?? {}) as Labels;

/** The other side of a connection: any pod of a namespace (labels unknown), or an address outside the cluster. */
export type Remote = { readonly namespace: string } | { readonly internet: true };

/**
 * A peer admits `remote`: a namespaceSelector naming its namespace with no podSelector narrowing
 * it to labels we cannot know; for the internet, an ipBlock of 0.0.0.0/0 with no exceptions.
 * (An ipBlock does not reliably match pod IPs: it never admits a namespace here.)
 */
function admits(peer: Obj, remote: Remote): boolean {
  if ("internet" in remote)
    return isObj(peer.ipBlock) && peer.ipBlock.cidr === "0.0.0.0/0" && peer.ipBlock.except === undefined;
  return (
    isObj(peer.namespaceSelector) &&
    selects(matchLabelsOf(peer.namespaceSelector), { "kubernetes.io/metadata.name": remote.namespace }) &&
    (peer.podSelector === undefined || Object.keys(matchLabelsOf(peer.podSelector)).length === 0)
  );
}

/** Whether pods `labels` in `namespace` may receive (ingress) or open (egress) a connection on `port` with `remote`. */
export function allowed(
  all: readonly Policy[],
  direction: "ingress" | "egress",
  namespace: string,
  labels: Labels,
  port: number,
  remote: Remote,
): boolean {
  const type = direction === "ingress" ? "Ingress" : "Egress";
  const isolating = all.filter(
    (p) =>
      p.namespace === namespace &&
      selects(matchLabelsOf(p.spec.podSelector), labels) &&
      ((p.spec.policyTypes as string[] | undefined) ?? ["Ingress"]).includes(type),
  );
  if (isolating.length === 0) return true;
  return isolating.some((p) =>
    ((p.spec[direction] ?? []) as Obj[]).some((rule) => {
      const peers = rule[direction === "ingress" ? "from" : "to"] as Obj[] | undefined;
      const ports = rule.ports as { port: number | string }[] | undefined;
      return (
        (peers === undefined || peers.some((peer) => admits(peer, remote))) &&
        (ports === undefined || ports.some((x) => x.port === port))
      );
    }),
  );
}
