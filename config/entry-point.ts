// Harbor's own entry point (`exposure: loadBalancer`): the fixed address of its LoadBalancer
// Service and what announces it, shaped from the `loadBalancer` key.
import { parseIp } from "../policy/concepts/network";
import { ConfigError } from "./validate";

export type Announcer = "metallb" | "kube-vip" | "cloud";

export interface LoadBalancerEntryPoint {
  /** Fixed addresses (one, or one per IP family); empty: the load balancer picks one. */
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
  const addresses = input.addresses ?? [];
  const announcer = input.announcer ?? "metallb";
  if (addresses.length === 2 && parseIp(addresses[0])?.kind === parseIp(addresses[1])?.kind)
    throw new ConfigError(
      `${KEY}.addresses`,
      addresses,
      "two addresses only for dual stack: one IPv4 and one IPv6",
    );
  // spec.loadBalancerIP holds one address (core/v1 ServiceSpec).
  if (announcer === "cloud" && addresses.length > 1)
    throw new ConfigError(
      `${KEY}.addresses`,
      addresses,
      "one address with announcer cloud (spec.loadBalancerIP)",
    );
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
