// Restricted networks, pure: the corporate proxy (what NO_PROXY always holds, how each
// component's client decides to use the proxy, which calls go through it and which go
// directly), and Trivy's database source. Each external call the program configures is listed
// once here (externalDestinations); the NetworkPolicies (components/platform/flows.ts) and the
// rule that direct calls need addresses (proxyConfig) both read that list.
import ipaddr from "ipaddr.js";
import { parseIp } from "../policy/concepts/network";
import type { HarborConfigurationSpec } from "./harbor-config";
import type { LoggingConfig, SyslogEndpoint } from "./observability";
import { HARBOR_PROXY_COMPONENTS, type ProxyValue } from "./schema/proxy";
import type { TrivyValue } from "./schema/trivy";
import { ConfigError } from "./validate";

export type HarborProxyComponent = (typeof HARBOR_PROXY_COMPONENTS)[number];

/** The chart's own `proxy.components` (harbor-helm 1.19.2 values.yaml). */
export const DEFAULT_PROXY_COMPONENTS: readonly HarborProxyComponent[] = ["core", "jobservice", "trivy"];

/** In-cluster DNS: every Service name, short or qualified (the cluster domain is cluster.local). */
export const IN_CLUSTER_DOMAINS = [".svc", ".cluster.local"] as const;

/**
 * The API server's name inside the cluster: Fluent Bit's kubernetes filter dials it (its
 * `kube_url` default, fluent-bit v5.1.1 plugins/filter_kubernetes/kubernetes.c), and Fluent Bit
 * matches NO_PROXY entries only as whole host names.
 */
export const KUBERNETES_API_HOST = "kubernetes.default.svc";

export interface ProxyConfig {
  readonly httpProxy: string;
  readonly httpsProxy: string;
  /** The proxy's addresses and ports, for NetworkPolicies. */
  readonly cidrs: readonly string[];
  readonly ports: readonly number[];
  /** Where calls that skip the proxy go outside the cluster (NetworkPolicies). */
  readonly internalCidrs: readonly string[];
  /** The cluster's own ranges: calls there are in-cluster, never the proxy's. */
  readonly serviceCidrs: readonly string[];
  readonly podCidrs: readonly string[];
  /** Harbor's components the chart gives the proxy to. */
  readonly harborComponents: readonly HarborProxyComponent[];
  /**
   * NO_PROXY of the Go programs (Harbor, cert-manager, Velero, rclone), read by Go's httpproxy
   * rules: the user's entries after what the program always adds.
   */
  readonly noProxy: readonly string[];
  /** NO_PROXY of Fluent Bit: whole host names only (its matcher compares strings). */
  readonly fluentBitNoProxy: readonly string[];
}

export type TrivyConfig =
  | { readonly mode: "online"; readonly gitHubTokenSecret?: string }
  | {
      readonly mode: "mirror";
      /** The key the repositories come from: set, or derived from the site's image mirror. */
      readonly source: "trivy.dbRepository" | "mirror.registry";
      readonly dbRepository: readonly string[];
      readonly javaDbRepository: readonly string[];
      readonly gitHubTokenSecret?: string;
    }
  | { readonly mode: "offline" };

/** Repositories Trivy downloads from when none is configured (harbor-helm 1.19.2 values.yaml). */
export const TRIVY_PUBLIC_REPOSITORIES = {
  db: ["mirror.gcr.io/aquasec/trivy-db", "ghcr.io/aquasecurity/trivy-db"],
  javaDb: ["mirror.gcr.io/aquasec/trivy-java-db", "ghcr.io/aquasecurity/trivy-java-db"],
} as const;

// ---------------------------------------------------------------------------------------------
// How clients decide

function ipOf(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return parseIp(bare) ? ipaddr.parse(bare) : undefined;
}

function inCidr(ip: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  try {
    const range = ipaddr.parseCIDR(cidr);
    return ip.kind() === range[0].kind() && ip.match(range);
  } catch {
    return false;
  }
}

/** Go's net.ParseCIDR, which also reads a host address with a prefix. */
function isCidr(entry: string): boolean {
  if (!entry.includes("/")) return false;
  try {
    ipaddr.parseCIDR(entry);
    return parseIp(entry.split("/")[0]) !== undefined;
  } catch {
    return false;
  }
}

/** `host:port`, `[v6]:port` or a bare host, as Go's net.SplitHostPort leaves it. */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(entry);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] };
  const colons = entry.split(":").length - 1;
  if (colons !== 1) return undefined;
  const [host, port] = entry.split(":");
  return { host, port };
}

/**
 * Whether a Go program skips the proxy for `host:port`, by the rules of golang.org/x/net
 * http/httpproxy (proxy.go `useProxy` and `config.init`), which net/http's
 * ProxyFromEnvironment applies: localhost and loopback addresses never use it; an IP matches an
 * IP entry (and its port, if given) or a CIDR entry; a name matches a domain entry and its
 * subdomains (`.d` subdomains only, `*.d` like `.d`); `*` matches everything.
 * test/restricted/no-proxy.test.ts holds this to Debian's rclone, a Go program, run for real.
 */
export function goSkipsProxy(noProxy: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost") return true;
  const ip = ipOf(name);
  if (ip && ip.range() === "loopback") return true;
  for (const raw of noProxy) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    if (isCidr(entry)) {
      if (ip && inCidr(ip, entry)) return true;
      continue;
    }
    const split = splitHostPort(entry);
    let entryHost = split ? split.host : entry;
    const entryPort = split ? split.port : "";
    if (entryHost === "") continue;
    // Go's net.ParseIP: no brackets (`[::1]` without a port stays a name).
    const entryIp = parseIp(entryHost) ? ipaddr.parse(entryHost) : undefined;
    if (entryIp) {
      if (ip && ip.kind() === entryIp.kind() && ip.toString() === entryIp.toString())
        if (entryPort === "" || entryPort === String(port)) return true;
      continue;
    }
    if (ip) continue;
    if (entryHost.startsWith("*.")) entryHost = entryHost.slice(1);
    const matchHost = !entryHost.startsWith(".");
    const suffix = matchHost ? `.${entryHost}` : entryHost;
    if (
      (name.endsWith(suffix) || (matchHost && name === entryHost)) &&
      (entryPort === "" || entryPort === String(port))
    )
      return true;
  }
  return false;
}

/**
 * Whether Fluent Bit skips the proxy for `host`: its NO_PROXY is split at commas and compared
 * with the host as whole strings, `*` alone matching all (fluent-bit v5.1.1
 * src/flb_upstream.c `flb_upstream_needs_proxy`). Domains, CIDRs and spaces match nothing.
 */
export function fluentBitSkipsProxy(noProxy: readonly string[], host: string): boolean {
  const entries = noProxy.join(",").split(",");
  return entries.length === 1 && entries[0] === "*" ? true : entries.includes(host);
}

/** Whether `host` is the cluster's own: a Service name, or an address in its Service or Pod ranges. */
export function inCluster(
  host: string,
  cluster: { readonly serviceCidrs: readonly string[]; readonly podCidrs: readonly string[] },
): boolean {
  const name = host.toLowerCase();
  const ip = ipOf(name);
  if (ip) return [...cluster.serviceCidrs, ...cluster.podCidrs].some((c) => inCidr(ip, c));
  return !name.includes(".") || IN_CLUSTER_DOMAINS.some((d) => name.endsWith(d));
}

// ---------------------------------------------------------------------------------------------
// What the program calls outside the cluster

/** Who calls: the pods each NetworkPolicy flow is for. */
export type Caller =
  | "harbor-core"
  | "harbor-jobservice"
  | "harbor-trivy"
  | "harbor-registry"
  | "harbor-syslog"
  | "database"
  | "cert-manager"
  | "velero"
  | "dr-jobs"
  | "fluent-bit";

export interface Destination {
  readonly caller: Caller;
  /** The host dialled; `*` for hosts the program cannot know (proxy-cache upstreams, ...). */
  readonly host: string;
  readonly port: number;
  /** An HTTP(S) call a proxy can carry (LDAP and syslog are not). */
  readonly http: boolean;
  /** The config key it comes from. */
  readonly source: string;
}

/** The port a URL dials: its own, or its scheme's default (ldap 389, ldaps 636). */
export function urlPort(url: string): number {
  const u = new URL(url);
  if (u.port !== "") return Number(u.port);
  const defaults: Record<string, number> = { "https:": 443, "http:": 80, "ldaps:": 636, "ldap:": 389 };
  return defaults[u.protocol] ?? 443;
}

/** An OCI repository's registry host and port (`host[:port]/path[:tag]`). */
export function repositoryHost(repository: string): { host: string; port: number } {
  const registry = repository.split("/")[0];
  const [host, port] = registry.split(":");
  return { host, port: port ? Number(port) : 443 };
}

export interface DestinationInputs {
  readonly hostname: string;
  readonly harborConfig: HarborConfigurationSpec;
  readonly auditLogSyslog?: SyslogEndpoint;
  readonly logging?: LoggingConfig;
  readonly trivy: TrivyConfig;
  /** prod with `objectStore.mode: external`: Harbor's registry and the WAL archive go there. */
  readonly objectStoreEndpoint?: string;
  /** prod with an ACME issuer. */
  readonly acmeServer?: string;
  /** prod with DR: regions of the AWS buckets Velero and the DR jobs (with MinIO) reach. */
  readonly dr?: { readonly veleroRegion: string; readonly jobRegions: readonly string[] };
}

/** Fluent Bit's one call out: the ELK endpoint. */
export const elkDestination = (logging: LoggingConfig): Destination => ({
  caller: "fluent-bit",
  host: logging.host,
  port: logging.port,
  http: true,
  source: "logging.endpoint",
});

/** Every call the config makes a component place outside the cluster. */
export function externalDestinations(a: DestinationInputs): Destination[] {
  const out: Destination[] = [];
  const add = (caller: Caller, host: string, port: number, http: boolean, source: string) =>
    out.push({ caller, host, port, http, source });
  const url = (caller: Caller, u: string, source: string, http = true) =>
    add(caller, new URL(u).hostname.replace(/^\[(.*)\]$/, "$1"), urlPort(u), http, source);
  // Core serves proxy-cache pulls from upstreams (declared or added in the UI) and logs users
  // in; jobservice runs replications. Upstreams the program does not know are `*`.
  add("harbor-core", "*", 443, true, "proxy-cache upstreams");
  add("harbor-jobservice", "*", 443, true, "replication endpoints");
  const auth = a.harborConfig.settings.auth;
  if (auth?.kind === "oidc") url("harbor-core", auth.endpoint, "harborConfig.settings.auth.oidc.endpoint");
  if (auth?.kind === "ldap") url("harbor-core", auth.url, "harborConfig.settings.auth.ldap.url", false);
  a.harborConfig.registries.forEach((r, i) => {
    for (const caller of ["harbor-core", "harbor-jobservice"] as const)
      url(caller, r.url, `harborConfig.registries[${i}].url`);
  });
  if (a.auditLogSyslog)
    add("harbor-syslog", a.auditLogSyslog.host, a.auditLogSyslog.port, false, "auditLogSyslog");
  const t = a.trivy;
  if (t.mode !== "offline") {
    const repos =
      t.mode === "mirror"
        ? [...t.dbRepository, ...t.javaDbRepository]
        : [...TRIVY_PUBLIC_REPOSITORIES.db, ...TRIVY_PUBLIC_REPOSITORIES.javaDb];
    const source = t.mode === "mirror" ? t.source : "Trivy's public DB repositories";
    for (const r of repos) {
      const { host, port } = repositoryHost(r);
      if (!out.some((d) => d.caller === "harbor-trivy" && d.host === host && d.port === port))
        add("harbor-trivy", host, port, true, source);
    }
  }
  if (a.objectStoreEndpoint) {
    url("harbor-registry", a.objectStoreEndpoint, "objectStore.endpoint");
    url("database", a.objectStoreEndpoint, "objectStore.endpoint");
  }
  if (a.acmeServer) {
    url("cert-manager", a.acmeServer, "certManager.acme.server");
    // The HTTP-01 self-check fetches the challenge from the public name (plain http).
    add("cert-manager", a.hostname, 80, true, "hostname (ACME HTTP-01 self-check)");
  }
  if (a.dr) {
    const s3 = (region: string) => `s3.${region}.amazonaws.com`;
    add("velero", s3(a.dr.veleroRegion), 443, true, "aws:region");
    for (const region of [...new Set(a.dr.jobRegions)]) add("dr-jobs", s3(region), 443, true, "aws:region");
  }
  if (a.logging) out.push(elkDestination(a.logging));
  return out;
}

/** Whose calls the proxy carries: Harbor's per `proxy.components`, the others' always. */
export function honoursProxy(caller: Caller, proxy: ProxyConfig): boolean {
  switch (caller) {
    case "harbor-core":
    case "harbor-jobservice":
    case "harbor-trivy":
    case "harbor-registry":
      return proxy.harborComponents.includes(caller.slice("harbor-".length) as HarborProxyComponent);
    // No proxy in the environment: LDAP and syslog are not HTTP; the WAL archive goes to the
    // object store, which NO_PROXY always lists.
    case "harbor-syslog":
    case "database":
      return false;
    default:
      return true;
  }
}

/** How a call leaves the cluster when a proxy is set: through it, or directly (in-cluster calls are no concern here). */
export function route(d: Destination, proxy: ProxyConfig): "proxy" | "direct" {
  if (!d.http || !honoursProxy(d.caller, proxy)) return "direct";
  if (d.host === "*") return "proxy";
  const skips =
    d.caller === "fluent-bit"
      ? fluentBitSkipsProxy(proxy.fluentBitNoProxy, d.host)
      : goSkipsProxy(proxy.noProxy, d.host, d.port);
  return skips ? "direct" : "proxy";
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** The Go NO_PROXY: loopback, in-cluster names and ranges, the API server, what is always direct, then the user's. */
export function goNoProxy(a: {
  readonly user: readonly string[];
  readonly serviceCidrs: readonly string[];
  readonly podCidrs: readonly string[];
  readonly apiServerCidrs: readonly string[];
  readonly internalCidrs: readonly string[];
  readonly alwaysDirectHosts: readonly string[];
}): string[] {
  // A /0 "API server" (dev's default) is no address: it would exempt every IP literal.
  const api = a.apiServerCidrs.filter((c) => !c.endsWith("/0"));
  return [
    ...new Set([
      "localhost",
      "127.0.0.1",
      ...IN_CLUSTER_DOMAINS,
      KUBERNETES_API_HOST,
      ...a.serviceCidrs,
      ...a.podCidrs,
      ...api,
      ...a.internalCidrs,
      ...a.alwaysDirectHosts,
      ...a.user,
    ]),
  ];
}

const KEY = "proxy";

function required(field: string, value: readonly string[] | undefined, what: string): readonly string[] {
  if (value === undefined || value.length === 0)
    throw new ConfigError(`${KEY}.${field}`, value, `required with a proxy: ${what}`);
  value.forEach((c, i) => {
    if (c.endsWith("/0")) throw new ConfigError(`${KEY}.${field}[${i}]`, c, `${what}, not every address`);
  });
  return value;
}

function proxyPort(url: string): number {
  return Number(new URL(url).port || (url.startsWith("https:") ? 443 : 80));
}

export interface ProxyContext {
  readonly apiServerCidrs: readonly string[];
  /** Hosts the program always reaches directly (an external object store, LDAP). */
  readonly alwaysDirectHosts: readonly string[];
  /** Every external call, to find those that need `internalCidrs`. */
  readonly destinations: readonly Destination[];
}

/** The typed `proxy` value with its cross-key rules: addresses NetworkPolicies need, ports. */
export function proxyConfig(v: ProxyValue, ctx: ProxyContext): ProxyConfig {
  const httpsProxy = v.httpsProxy ?? v.httpProxy;
  const cidrs = required("cidrs", v.cidrs, "the proxy's addresses as CIDRs, like 10.20.0.5/32");
  for (const [field, u] of [
    ["httpProxy", v.httpProxy],
    ["httpsProxy", httpsProxy],
  ] as const) {
    const ip = ipOf(new URL(u).hostname);
    if (ip && !cidrs.some((c) => inCidr(ip, c)))
      throw new ConfigError(
        `${KEY}.cidrs`,
        cidrs,
        `must contain the proxy's address ${ip.toString()} (${KEY}.${field})`,
      );
  }
  const serviceCidrs = required(
    "serviceCidrs",
    v.serviceCidrs,
    "the cluster's Service CIDRs (kube-apiserver --service-cluster-ip-range), so that no in-cluster call goes to the proxy",
  );
  const podCidrs = required(
    "podCidrs",
    v.podCidrs,
    "the cluster's Pod CIDRs (kube-controller-manager --cluster-cidr), so that no in-cluster call goes to the proxy",
  );
  const internalCidrs = v.internalCidrs ?? [];
  internalCidrs.forEach((c, i) => {
    if (c.endsWith("/0"))
      throw new ConfigError(
        `${KEY}.internalCidrs[${i}]`,
        c,
        "the internal networks' ranges, not every address",
      );
  });
  const components = v.components ?? DEFAULT_PROXY_COMPONENTS;
  const twice = components.find((c, i) => components.indexOf(c) !== i);
  if (twice) throw new ConfigError(`${KEY}.components`, components, `each component once (${twice} twice)`);
  const noProxy = goNoProxy({
    user: v.noProxy ?? [],
    serviceCidrs,
    podCidrs,
    apiServerCidrs: ctx.apiServerCidrs,
    internalCidrs,
    alwaysDirectHosts: ctx.alwaysDirectHosts,
  });
  const partial: ProxyConfig = {
    httpProxy: v.httpProxy,
    httpsProxy,
    cidrs,
    ports: [...new Set([proxyPort(v.httpProxy), proxyPort(httpsProxy)])].sort((x, y) => x - y),
    internalCidrs,
    serviceCidrs,
    podCidrs,
    harborComponents: components,
    noProxy,
    fluentBitNoProxy: [KUBERNETES_API_HOST],
  };
  // Fluent Bit's ELK goes directly when the Go rules would skip the proxy for it: its matcher
  // needs the whole host name.
  const elk = ctx.destinations.find((d) => d.caller === "fluent-bit");
  const proxy: ProxyConfig =
    elk && goSkipsProxy(noProxy, elk.host, elk.port)
      ? { ...partial, fluentBitNoProxy: [KUBERNETES_API_HOST, elk.host] }
      : partial;
  const direct = ctx.destinations.filter(
    (d) => d.host !== "*" && !inCluster(d.host, proxy) && route(d, proxy) === "direct",
  );
  if (direct.length > 0 && internalCidrs.length === 0) {
    const list = direct.map((d) => `${d.host}:${d.port} (${d.source})`);
    const shown = [...new Set(list)].slice(0, 3).join(", ");
    throw new ConfigError(
      `${KEY}.internalCidrs`,
      undefined,
      `required: the address ranges of what is reached without the proxy, for NetworkPolicies: ${shown}`,
    );
  }
  for (const d of direct) {
    const ip = ipOf(d.host);
    if (ip && !internalCidrs.some((c) => inCidr(ip, c)))
      throw new ConfigError(
        `${KEY}.internalCidrs`,
        internalCidrs,
        `must contain ${d.host} (${d.source}), which is reached without the proxy`,
      );
  }
  return proxy;
}

/**
 * Where Trivy reads its databases on a site with an image mirror and no repository configured:
 * ghcr.io's repositories under `mirror.registry`, the layout every mirrored image has
 * (`<registry>/ghcr.io/aquasecurity/trivy-db`). ghcr.io rather than mirror.gcr.io, because Harbor
 * proxy-caches ghcr.io (`mirror.harborProxyCaches`), which keeps the databases fresh.
 */
export function mirroredTrivyRepositories(registry: string): { db: string[]; javaDb: string[] } {
  const onMirror = (repos: readonly string[]) =>
    repos.filter((r) => r.startsWith("ghcr.io/")).map((r) => `${registry}/${r}`);
  return { db: onMirror(TRIVY_PUBLIC_REPOSITORIES.db), javaDb: onMirror(TRIVY_PUBLIC_REPOSITORIES.javaDb) };
}

/**
 * The typed `trivy` value: one mode, and no setting the mode would ignore. With `mirror.registry`
 * (`registry`) and no repository, the databases come from the mirror: the site reaches no
 * public registry.
 */
export function trivyConfig(v: TrivyValue, registry?: string): TrivyConfig {
  const token = v.gitHubTokenSecret;
  if (v.offline === true) {
    for (const field of ["dbRepository", "javaDbRepository", "gitHubTokenSecret"] as const)
      if (v[field] !== undefined)
        throw new ConfigError(
          `trivy.${field}`,
          v[field],
          "nothing with trivy.offline: true, which downloads nothing; remove one of them",
        );
    return { mode: "offline" };
  }
  if ((v.dbRepository === undefined) !== (v.javaDbRepository === undefined)) {
    const missing = v.dbRepository === undefined ? "dbRepository" : "javaDbRepository";
    throw new ConfigError(
      `trivy.${missing}`,
      undefined,
      "required beside the other repository: without it Trivy downloads that database from its default repositories",
    );
  }
  const withToken = token !== undefined ? { gitHubTokenSecret: token } : {};
  if (v.dbRepository !== undefined && v.javaDbRepository !== undefined)
    return {
      mode: "mirror",
      source: "trivy.dbRepository",
      dbRepository: v.dbRepository,
      javaDbRepository: v.javaDbRepository,
      ...withToken,
    };
  if (registry !== undefined) {
    const repos = mirroredTrivyRepositories(registry);
    return {
      mode: "mirror",
      source: "mirror.registry",
      dbRepository: repos.db,
      javaDbRepository: repos.javaDb,
      ...withToken,
    };
  }
  return { mode: "online", ...withToken };
}

// ---------------------------------------------------------------------------------------------
// What each client is given

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** The environment Go's ProxyFromEnvironment reads (upper case, which it reads first). */
export function goProxyEnv(proxy: ProxyConfig): EnvVar[] {
  return [
    { name: "HTTP_PROXY", value: proxy.httpProxy },
    { name: "HTTPS_PROXY", value: proxy.httpsProxy },
    { name: "NO_PROXY", value: proxy.noProxy.join(",") },
  ];
}

/**
 * Fluent Bit's: it reads HTTP_PROXY only and uses it for TLS outputs too, through a CONNECT
 * tunnel (fluent-bit v5.1.1 src/flb_config.c, src/flb_upstream.c, src/flb_io.c), so it gets
 * the https proxy; its NO_PROXY lists whole host names, without spaces (it does not trim).
 */
export function fluentBitProxyEnv(proxy: ProxyConfig): EnvVar[] {
  return [
    { name: "HTTP_PROXY", value: proxy.httpsProxy },
    { name: "NO_PROXY", value: proxy.fluentBitNoProxy.join(",") },
  ];
}
