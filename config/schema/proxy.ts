// Restricted networks: a corporate HTTP(S) proxy every component that calls out of the site
// uses. Cross-key rules (the addresses NetworkPolicies need, what NO_PROXY always holds) are in
// config/proxy.ts, on the typed values.
import type { z } from "zod";
import { parseCidr, parseIp } from "../../policy/concepts/network";
import { cidr, hasControlCharacters, key, leaf, listOf, oneOf, section } from "./define";

export const RESTRICTED = "Restricted networks";

/** Harbor's components the chart gives the proxy to (`proxy.components`, harbor-helm 1.19.2). */
export const HARBOR_PROXY_COMPONENTS = ["core", "jobservice", "trivy", "registry"] as const;

const PROXY_URL_ALLOWED =
  "an http:// or https:// URL of the proxy with its port, like http://proxy.corp.example.com:3128";

/**
 * The proxy's URL as Go (`http.ProxyFromEnvironment`) and Fluent Bit (`flb_utils_proxy_url_split`)
 * both read it: a scheme, a host and a port, nothing else. Credentials are refused: Harbor's
 * chart writes the URL into ConfigMaps in plain text.
 */
export function proxyUrl() {
  return leaf<string>({ type: "URL", allowed: PROXY_URL_ALLOWED }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v) || /\s/.test(v)) return undefined;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return { refused: "the scheme is missing" };
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return undefined;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { refused: `${url.protocol.slice(0, -1)} is not a proxy scheme the components read` };
    if (url.username !== "" || url.password !== "")
      return {
        refused:
          "no credentials: Harbor's chart writes the URL into ConfigMaps in plain text; admit the cluster by address at the proxy",
      };
    // `new URL` drops a port equal to the scheme's default: the text must carry one anyway.
    if (!/:\d+\/?$/.test(v)) return { refused: "the port is missing" };
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "")
      return { refused: "nothing after the port" };
    return v.replace(/\/$/, "");
  });
}

const NO_PROXY_ALLOWED =
  "a host, a domain (.corp.example.com matches its subdomains), an IP address or a CIDR, optionally with :port";

const HOST_LABELS = /^(\*\.|\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * One NO_PROXY entry in the forms Go's httpproxy package reads (golang.org/x/net
 * http/httpproxy/proxy.go, `config.init`): a domain name (a leading `.` or `*.` for
 * subdomains only), an IP address, a CIDR, a host or IP with `:port`. Commas and spaces would
 * split it; `*` would turn the proxy off for every host.
 */
export function noProxyEntry() {
  return leaf<string>({ type: "NO_PROXY entry", allowed: NO_PROXY_ALLOWED }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v) || v === "") return undefined;
    if (v.includes("://")) return { refused: "no scheme: NO_PROXY matches hosts, not URLs" };
    if (/[\s,]/.test(v)) return { refused: "one entry per list item, without commas or spaces" };
    if (v === "*") return { refused: "* sends nothing through the proxy; remove the proxy key instead" };
    if (v.includes("/")) {
      const c = parseCidr(v);
      return "error" in c ? { refused: c.error } : v;
    }
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
    if (bracketed) return parseIp(bracketed[1])?.kind === "ipv6" ? v : undefined;
    if (parseIp(v)?.kind === "ipv6") return v;
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) return undefined;
    const host = m[1];
    if (/^[0-9.]+$/.test(host)) return parseIp(host) ? v : undefined;
    return HOST_LABELS.test(host) ? v : { refused: "host names are lower case" };
  });
}

export const PROXY_KEYS = {
  proxy: key({
    schema: section({
      httpProxy: proxyUrl().meta({ doc: "The proxy for http:// requests" }),
      httpsProxy: proxyUrl()
        .optional()
        .meta({ doc: "The proxy for https:// requests (Fluent Bit's only proxy)", defaultText: "httpProxy" }),
      noProxy: listOf(noProxyEntry()).optional().meta({
        doc: "Hosts, domains, IPs and CIDRs reached without the proxy, beside what the program always adds (in-cluster names and ranges, the API server, the internal ranges, an external object store, LDAP)",
      }),
      cidrs: listOf(cidr()).optional().meta({
        doc: "The proxy's addresses as CIDRs: NetworkPolicies name addresses, not hosts",
        defaultText: "required",
      }),
      serviceCidrs: listOf(cidr()).optional().meta({
        doc: "The cluster's Service CIDRs (kube-apiserver --service-cluster-ip-range): the API server's Service address is in them",
        defaultText: "required",
      }),
      podCidrs: listOf(cidr()).optional().meta({
        doc: "The cluster's Pod CIDRs (kube-controller-manager --cluster-cidr)",
        defaultText: "required",
      }),
      internalCidrs: listOf(cidr()).optional().meta({
        doc: "Where what skips the proxy outside the cluster lives (syslog, LDAP, an external object store, hosts noProxy covers), for NetworkPolicies",
        defaultText: "required when such a call exists",
      }),
      components: listOf(oneOf(HARBOR_PROXY_COMPONENTS)).optional().meta({
        doc: "Harbor's components given the proxy (the chart's proxy.components)",
        defaultText: "core, jobservice, trivy",
      }),
    }),
    doc: "A corporate HTTP(S) proxy: Harbor, cert-manager, Velero, the DR jobs' AWS side and Fluent Bit call out through it, and NetworkPolicies admit the proxy instead of the internet.",
    group: RESTRICTED,
  }),
} as const;

export type ProxyValue = z.output<(typeof PROXY_KEYS)["proxy"]["schema"]>;
