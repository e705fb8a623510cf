import type { StackValidationPolicy } from "@pulumi/policy";
import { TYPES, get, isObj } from "../lib/resources";

export const namespaceResourceQuota: StackValidationPolicy = {
  name: "namespace-resource-quota",
  description: "Every namespace the project creates carries a ResourceQuota with hard limits.",
  enforcementLevel: "mandatory",
  tags: ["quota"],
  validateStack: (args, reportViolation) => {
    const quotas = args.resources.filter((r) => r.type === TYPES.resourceQuota);
    for (const ns of args.resources.filter((r) => r.type === TYPES.namespace)) {
      const name = get(ns.props, "metadata.name") ?? ns.name;
      const mine = quotas.filter((q) => get(q.props, "metadata.namespace") === name);
      const limited = mine.some((q) => {
        const hard = get(q.props, "spec.hard");
        return isObj(hard) && Object.keys(hard).length > 0;
      });
      if (!limited)
        reportViolation(`namespace ${String(name)} has no ResourceQuota with spec.hard limits.`, ns.urn);
    }
  },
};
