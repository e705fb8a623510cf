// Harbor's own entry point (`exposure: loadBalancer`): the fixed address of its LoadBalancer
// Service and what announces it, shaped from the `loadBalancer` key.
import { ConfigError } from "./validate";

export type Announcer = "metallb" | "kube-vip" | "cloud";

export interface LoadBalancerEntryPoint {
  /** The fixed address (at most one); empty: the load balancer picks one. */
  readonly addresses: readonly string[];
  readonly announcer: Announcer;
  readonly addressPool?: string;
  /** loadBalancerSourceRanges; empty: every client. */
  readonly sourceRanges: readonly string[];
}

export interface LoadBalancerInput {
  readonly addresses?: readonly string[];
  readonly announcer?: Announcer;
  readonly addressPool?: string;
  readonly sourceRanges?: readonly string[];
}

const KEY = "loadBalancer";

export function parseLoadBalancer(input: LoadBalancerInput): LoadBalancerEntryPoint {
  // At most one (the schema): the chart's LoadBalancer Service is single-stack.
  const addresses = input.addresses ?? [];
  const announcer = input.announcer ?? "metallb";
  if (input.addressPool !== undefined && announcer !== "metallb")
    throw new ConfigError(`${KEY}.addressPool`, input.addressPool, "only used with announcer metallb");
  if (input.announcer !== undefined && input.announcer !== "metallb" && addresses.length === 0)
    throw new ConfigError(
      `${KEY}.announcer`,
      input.announcer,
      "only used with loadBalancer.addresses (without them the load balancer picks the address)",
    );
  return {
    addresses,
    announcer,
    ...(input.addressPool !== undefined ? { addressPool: input.addressPool } : {}),
    sourceRanges: input.sourceRanges ?? [],
  };
}
