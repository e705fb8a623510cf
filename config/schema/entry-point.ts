// Keys of the registry's own HA entry point: with `exposure: loadBalancer`, Harbor's nginx
// (replicated, with a PDB and spread over nodes) behind a LoadBalancer Service with a fixed
// address, for clusters without an ingress controller. `exposure: ingress` (the cluster's own
// controller) stays the default.
import { cidr, ipAddress, k8sName, key, listOf, oneOf, section } from "./define";

export const ENTRY_POINT_KEYS = {
  loadBalancer: key({
    schema: section({
      // One: harbor-helm 1.19.2 templates/nginx/service.yaml gives the LoadBalancer Service no
      // ipFamilyPolicy (only the ClusterIP one reads ipFamily.policy), so it is single-stack and
      // cannot hold an address of each family.
      addresses: listOf(ipAddress(), 1)
        .max(1, {
          message:
            "one address: Harbor's chart makes the LoadBalancer Service single-stack (no ipFamilyPolicy), so no IPv4 and IPv6 pair",
        })
        .optional()
        .meta({ doc: "the Service's fixed address (one: the chart's LoadBalancer Service is single-stack)" }),
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
