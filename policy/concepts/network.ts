// IP addresses, CIDRs and host:port endpoints, read as the Go programs that receive them do
// (Kubernetes' ipBlock, Harbor's syslog dialer): addresses by ipaddr.js, but only the forms Go's
// net.ParseIP reads (four decimal parts without leading zeros; IPv6 without a zone), and a
// CIDR only in its network form, so `10.0.0.1/24` is not mistaken for one address.
import ipaddr from "ipaddr.js";

export type IpKind = "ipv4" | "ipv6";

export interface Cidr {
  readonly kind: IpKind;
  readonly address: string;
  readonly prefix: number;
}

/** An IPv4 or IPv6 address in a form Go reads, or undefined. */
export function parseIp(text: string): { readonly kind: IpKind; readonly address: string } | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { kind: "ipv4", address: text };
  // An IPv4 tail (`::ffff:1.2.3.4`) is held to the same four decimal parts.
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text))
    return { kind: "ipv6", address: text };
  return undefined;
}

export const NOT_A_CIDR = "not an address/prefix";

/** A CIDR, or why it is not one. */
export function parseCidr(text: string): Cidr | { readonly error: string } {
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  const ip = m ? parseIp(m[1]) : undefined;
  if (!m || !ip) return { error: NOT_A_CIDR };
  const prefix = Number(m[2]);
  if (prefix > (ip.kind === "ipv4" ? 32 : 128))
    return { error: `prefix /${prefix} is too long for ${ip.kind}` };
  const network = ipaddr.IPv4.isValid(m[1])
    ? ipaddr.IPv4.networkAddressFromCIDR(text)
    : ipaddr.IPv6.networkAddressFromCIDR(text);
  if (network.toString() !== ipaddr.parse(m[1]).toString())
    return {
      error: `address bits beyond the prefix are set; the network is ${network.toString()}/${prefix}`,
    };
  return { kind: ip.kind, address: m[1], prefix };
}

/** Whether CIDR `inner` lies within CIDR `outer`: same family, a prefix no shorter; false for a non-CIDR. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if ("error" in a || "error" in b || a.kind !== b.kind || a.prefix < b.prefix) return false;
  const ip = ipaddr.parse(a.address);
  const range = ipaddr.parseCIDR(outer);
  return ip.kind() === range[0].kind() && ip.match(range);
}

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `host:port` as Go's net.SplitHostPort reads it: a DNS name, an IPv4 address or `[IPv6]`, port 1-65535. */
export function parseHostPort(text: string): { readonly host: string; readonly port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([1-9][0-9]{0,4})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined) return parseIp(m[1])?.kind === "ipv6" ? { host: m[1], port } : undefined;
  const host = m[2];
  const numeric = /^[0-9.]+$/.test(host);
  if (numeric ? parseIp(host) === undefined : !DNS_NAME.test(host)) return undefined;
  return { host, port };
}
