// Keys of the registry's own HA entry point: with `exposure: loadBalancer`, Harbor's nginx
// (replicated, with a PDB and spread over nodes) behind a LoadBalancer Service with a fixed
// address, for clusters without an ingress controller. `exposure: ingress` (the cluster's own
// controller) stays the default.
import { cidr, ipAddress, k8sName, key, listOf, oneOf, section } from "./define";

export const ENTRY_POINT_KEYS = {
  loadBalancer: key({
    schema: section({
      addresses: listOf(ipAddress(), 1)
        .max(2, { message: "at most two addresses: one IPv4 and one IPv6" })
        .optional()
        .meta({ doc: "fixed address(es) of the Service: one, or one per IP family (dual stack)" }),
      announcer: oneOf(["metallb", "kube-vip", "cloud"] as const)
        .optional()
        .meta({
          doc: "what assigns the address: metallb or kube-vip (read from their annotations), or a cloud controller (spec.loadBalancerIP)",
          defaultText: "metallb",
        }),
      addressPool: k8sName().optional().meta({ doc: "MetalLB address pool to take the address from" }),
      sourceRanges: listOf(cidr())
        .optional()
        .meta({ doc: "client networks allowed to connect (loadBalancerSourceRanges); everyone by default" }),
    }),
    doc: "Harbor's own entry point behind a LoadBalancer Service: its fixed address and what announces it.",
    group: "Core",
    defaults: { dev: {}, prod: {} },
    when: { key: "exposure", values: ["loadBalancer"], fallback: "ingress" },
  }),
} as const;

export type EntryPointKeys = typeof ENTRY_POINT_KEYS;
