// The `mirror` section shaped for the components, its cross-field rules, and Harbor's
// proxy-cache projects merged into the configuration-as-code spec. Pure but for the CA file the
// schema reads.
import { cidrWithin, parseIp } from "../policy/concepts/network";
import { canonicalRepository } from "../components/mirror";
import { ConfigError } from "./validate";
import type { HarborConfigurationSpec, ProjectSpec, RegistrySpec } from "./harbor-config";
import type { Destination, ProxyConfig, TrivyConfig } from "./proxy";
import {
  PRIVATE_CIDRS,
  PROXY_CACHE_UPSTREAMS,
  type MirrorValue,
  type ProxyCacheUpstream,
} from "./schema/mirror";

export { PROXY_CACHE_UPSTREAMS, type ProxyCacheUpstream } from "./schema/mirror";

export const MIRROR_KEY = "mirror";

export interface ChartMirror {
  /** `oci`: Helm pulls `<url>/<chart>`; `https`: a classic repository with an index.yaml at `url`. */
  readonly kind: "oci" | "https";
  readonly url: string;
  /** CA file on the machine running Pulumi. */
  readonly caFile?: string;
  readonly username?: string;
  /** Secret config key holding the password. */
  readonly passwordSecret?: string;
}

export interface MirrorSettings {
  /** `host[:port][/prefix]` every image is pulled from; public upstreams when absent. */
  readonly registry?: string;
  /** Where charts are fetched; their public repositories when absent. */
  readonly charts?: ChartMirror;
  /** With `registry`: the only addresses egress outside the cluster may reach. */
  readonly siteCidrs?: readonly string[];
  /** Upstream registries Harbor keeps a proxy-cache project for. */
  readonly harborProxyCaches: readonly ProxyCacheUpstream[];
}

/** The typed `mirror` value as the components use it, or one ConfigError. */
export function mirrorSettings(value: MirrorValue | undefined): MirrorSettings | undefined {
  if (value === undefined) return undefined;
  const k = MIRROR_KEY;
  if (value.registry === undefined && value.charts === undefined && value.harborProxyCaches === undefined)
    throw new ConfigError(k, value, "set registry, charts or harborProxyCaches (or remove mirror)");
  if (value.siteCidrs !== undefined && value.registry === undefined)
    throw new ConfigError(
      `${k}.siteCidrs`,
      value.siteCidrs,
      "only used with mirror.registry (egress is confined to the site when images come from it)",
    );
  const caches = value.harborProxyCaches ?? [];
  const twice = caches.find((c, i) => caches.indexOf(c) !== i);
  if (twice !== undefined)
    throw new ConfigError(`${k}.harborProxyCaches`, caches, `each registry once (${twice} is listed twice)`);
  return {
    ...(value.registry !== undefined ? { registry: value.registry } : {}),
    ...(value.charts !== undefined ? { charts: chartMirror(value.charts) } : {}),
    ...(value.registry !== undefined ? { siteCidrs: value.siteCidrs ?? [...PRIVATE_CIDRS] } : {}),
    harborProxyCaches: caches,
  };
}

/**
 * A proxy on an air-gapped site is one of the site's hosts: `proxy.cidrs` (what the proxy carries
 * goes there) and `proxy.internalCidrs` (what skips it) must lie within `mirror.siteCidrs`, so
 * that the site's ranges stay the only addresses any pod reaches; the proxy carries what leaves.
 */
export function checkProxyInSite(proxy: ProxyConfig, siteCidrs: readonly string[]): void {
  for (const field of ["cidrs", "internalCidrs"] as const)
    proxy[field].forEach((c, i) => {
      if (!siteCidrs.some((s) => cidrWithin(c, s)))
        throw new ConfigError(
          `proxy.${field}[${i}]`,
          c,
          `a range within ${MIRROR_KEY}.siteCidrs (${siteCidrs.join(", ")}): with mirror.registry, egress stays on the site and the proxy carries what leaves it`,
        );
    });
}

/**
 * Hosts on the internet that downloads come from: registries, and public ACME servers
 * (Let's Encrypt's production and staging directories, ZeroSSL, Google Trust Services).
 * A name not listed cannot be judged here: the site's DNS may resolve it into siteCidrs.
 */
export const PUBLIC_DOWNLOAD_HOSTS: readonly string[] = [
  "docker.io",
  "registry-1.docker.io",
  "index.docker.io",
  "ghcr.io",
  "quay.io",
  "gcr.io",
  "mirror.gcr.io",
  "registry.k8s.io",
  "public.ecr.aws",
  "cr.fluentbit.io",
  "acme-v02.api.letsencrypt.org",
  "acme-staging-v02.api.letsencrypt.org",
  "acme.zerossl.com",
  "dv.acme-v02.api.pki.goog",
];

export interface AirGapInputs {
  readonly mirror?: MirrorSettings;
  /** Whether a corporate proxy carries what leaves the site (then checkProxyInSite applies). */
  readonly proxy: boolean;
  /** Every call out of the cluster (externalDestinations). */
  readonly egress: readonly Destination[];
  readonly trivy: TrivyConfig;
  /** prod with `certManager.issuer: acme`. */
  readonly acmeServer?: string;
  /** prod with `objectStore.image` other than the pin (used as given, not mirrored). */
  readonly objectStoreImage?: string;
}

/** A repository's registry host, as the container runtime resolves it (no port, no brackets). */
function repositoryRegistryHost(repository: string): string {
  const registry = canonicalRepository(repository).split("/")[0];
  const bracketed = /^\[([^\]]+)\]/.exec(registry);
  return bracketed ? bracketed[1] : registry.split(":")[0];
}

/**
 * An air-gapped site (`mirror.registry`, no proxy) reaches nothing but `siteCidrs`: a download
 * from a public host (an image, Trivy's databases, an ACME server), or any call to an IP address
 * outside `siteCidrs`, would only fail at run time; refused here instead. Host names not known
 * to be public are left alone: the site's DNS may resolve them into its ranges.
 */
export function checkAirGapped(a: AirGapInputs): void {
  const registry = a.mirror?.registry;
  const site = a.mirror?.siteCidrs;
  if (registry === undefined || site === undefined || a.proxy) return;
  const why = "an air-gapped site (mirror.registry without proxy) reaches only mirror.siteCidrs";
  const checkIp = (key: string, value: string, host: string) => {
    const ip = parseIp(host);
    if (ip && !site.some((s) => cidrWithin(`${ip.address}/${ip.kind === "ipv4" ? 32 : 128}`, s)))
      throw new ConfigError(key, value, `an address within ${site.join(", ")}: ${why}`);
  };
  const downloads: { key: string; value: string; host: string; instead: string }[] = [];
  const onSite = `a repository on the site (under ${registry}, the mirror)`;
  if (a.objectStoreImage !== undefined && !a.objectStoreImage.startsWith(`${registry}/`))
    downloads.push({
      key: "objectStore.image.repository",
      value: a.objectStoreImage,
      host: repositoryRegistryHost(a.objectStoreImage),
      instead: onSite,
    });
  if (a.trivy.mode === "mirror" && a.trivy.source === "trivy.dbRepository")
    for (const [field, repos] of [
      ["dbRepository", a.trivy.dbRepository],
      ["javaDbRepository", a.trivy.javaDbRepository],
    ] as const)
      repos.forEach((r, i) =>
        downloads.push({
          key: `trivy.${field}[${i}]`,
          value: r,
          host: repositoryRegistryHost(r),
          instead: onSite,
        }),
      );
  if (a.acmeServer !== undefined)
    downloads.push({
      key: "certManager.acme.server",
      value: a.acmeServer,
      host: new URL(a.acmeServer).hostname.replace(/^\[(.*)\]$/, "$1"),
      instead: "an ACME server on the site, or certManager.issuer ca",
    });
  for (const d of downloads) {
    if (PUBLIC_DOWNLOAD_HOSTS.includes(d.host.toLowerCase()))
      throw new ConfigError(d.key, d.value, `${d.instead}: ${d.host} is on the internet, and ${why}`);
    checkIp(d.key, d.value, d.host);
  }
  for (const d of a.egress) if (d.host !== "*") checkIp(d.source, d.host, d.host);
}

function chartMirror(c: NonNullable<MirrorValue["charts"]>): ChartMirror {
  const k = `${MIRROR_KEY}.charts`;
  if (c.username !== undefined && c.passwordSecret === undefined)
    throw new ConfigError(
      `${k}.passwordSecret`,
      undefined,
      "required with username: the secret config key holding the password",
    );
  if (c.passwordSecret !== undefined && c.username === undefined)
    throw new ConfigError(`${k}.username`, undefined, "required with passwordSecret");
  const kind = c.url.startsWith("oci://") ? "oci" : "https";
  // pulumi-kubernetes builds an OCI registry client with the CA only when it has credentials
  // (provider/pkg/provider/helm_release.go getChart, v4.32.0-27-g94977969): without them the
  // CA would be ignored and the pull fail on an unknown authority.
  if (kind === "oci" && c.caFile !== undefined && c.username === undefined)
    throw new ConfigError(
      `${k}.caFile`,
      c.caFile,
      "used for oci:// only with username and passwordSecret; without credentials trust the CA on the machine running Pulumi (its system store or SSL_CERT_FILE)",
    );
  return {
    kind,
    url: c.url,
    ...(c.caFile !== undefined ? { caFile: c.caFile } : {}),
    ...(c.username !== undefined ? { username: c.username, passwordSecret: c.passwordSecret } : {}),
  };
}

/** Secret config keys the mirror names (read with requireSecret). */
export function mirrorSecretKeys(m: MirrorSettings | undefined): string[] {
  return m?.charts?.passwordSecret !== undefined ? [m.charts.passwordSecret] : [];
}

/**
 * Harbor's automatic retention for proxy-cache projects (keep what was pulled in the last 7
 * days), declared so the program adopts it instead of creating a second policy.
 */
const PROXY_CACHE_RETENTION: NonNullable<ProjectSpec["retention"]> = {
  cron: "0 0 0 * * *",
  rules: [{ template: "nDaysSinceLastPull", count: 7, repositories: "**", tags: "**", untagged: true }],
};

/**
 * Adds a registry endpoint and a proxy-cache project per upstream in `mirror.harborProxyCaches`.
 * The project is named after the upstream host, so `<harbor>/<host>/<path>:<tag>` is the same
 * reference `mirror.registry: <harbor>` makes; it is public, because nodes pull without
 * credentials. An endpoint already declared (same type and URL, like prod's `dockerhub`) is
 * reused; a project the user declared under that name is kept as declared.
 */
export function withProxyCaches(
  spec: HarborConfigurationSpec,
  mirror: MirrorSettings | undefined,
): HarborConfigurationSpec {
  const upstreams = mirror?.harborProxyCaches ?? [];
  if (upstreams.length === 0) return spec;
  const registries: RegistrySpec[] = [...spec.registries];
  const projects: ProjectSpec[] = [...spec.projects];
  const key = `${MIRROR_KEY}.harborProxyCaches`;
  for (const host of upstreams) {
    const endpoint = PROXY_CACHE_UPSTREAMS[host];
    let registry = registries.find((r) => r.type === endpoint.type && r.url === endpoint.url);
    if (!registry) {
      if (registries.some((r) => r.name === host))
        throw new ConfigError(
          key,
          host,
          `harborConfig.registries has a registry named ${host} with another endpoint: rename it, or give it type ${endpoint.type} and url ${endpoint.url}`,
        );
      registry = { name: host, type: endpoint.type, url: endpoint.url, insecure: false };
      registries.push(registry);
    }
    const declared = projects.find((p) => p.name === host);
    if (declared) {
      if (declared.proxyCacheRegistry === undefined)
        throw new ConfigError(
          key,
          host,
          `harborConfig.projects has a project named ${host} that is not a proxy cache: rename it, or make it one`,
        );
      continue;
    }
    projects.push({
      name: host,
      public: true,
      quotaBytes: spec.settings.projectQuotaBytes,
      scanOnPush: true,
      preventVulnerable: "none",
      cosign: false,
      cveAllowlist: [],
      proxyCacheRegistry: registry.name,
      retention: PROXY_CACHE_RETENTION,
      immutableTags: [],
    });
  }
  return { ...spec, registries, projects };
}
