// Air-gapped sites: where charts and images come from instead of their public upstreams, the
// address ranges the site's own services live in, and the proxy-cache projects Harbor may keep
// for the upstream registries. Cross-field rules (credentials in pairs, a CA Helm would ignore)
// are in config/mirror.ts, on the typed values.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { isRegistryHost, PATH_COMPONENT } from "../../policy/concepts/image-reference";
import { parseCidr } from "../../policy/concepts/network";
import { caPemProblem, hasControlCharacters, key, leaf, listOf, pattern, section, text } from "./define";
import { RESTRICTED } from "./proxy";

// distribution/reference v0.6.0 regexp.go: domainNameComponent (held to lower case here),
// optionalPort, pathComponent (alphanumeric runs joined by `.`, `_`, `__` or dashes).
const DOMAIN_COMPONENT = "(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])";
const REGISTRY = new RegExp(
  `^(${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*)(:[0-9]{1,5})?((?:/${PATH_COMPONENT})*)$`,
);

const REGISTRY_ALLOWED =
  "a registry host[:port] with an optional /path prefix and no scheme, like harbor.example.com/mirror";

/** `host[:port][/prefix]`: what image references start with. */
export function registryPrefix() {
  return leaf<string>({ type: "registry", allowed: REGISTRY_ALLOWED }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v)) return undefined;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
    if (scheme)
      return { refused: `drop the ${scheme[1]}:// (images are pulled as ${v.slice(scheme[0].length)}/...)` };
    const m = REGISTRY.exec(v);
    if (!m) return undefined;
    if (m[2] !== undefined && Number(m[2].slice(1)) > 65535) return { refused: "the port is above 65535" };
    if (!isRegistryHost(`${m[1]}${m[2] ?? ""}`))
      return { refused: `${m[1]} has no dot or port, so it would be read as a Docker Hub namespace` };
    return v;
  });
}

const CHART_URL_ALLOWED =
  "an oci://host[:port]/path chart registry (Helm pulls oci://<url>/<chart>) or an https:// chart repository URL (with an index.yaml)";

/** The chart repository: `oci://host/path` or `https://host/path`, without a trailing slash. */
export function chartRepositoryUrl() {
  return leaf<string>({ type: "URL", allowed: CHART_URL_ALLOWED }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v)) return undefined;
    if (v.endsWith("/")) return { refused: "no trailing slash" };
    if (v.startsWith("oci://")) {
      const rest = v.slice("oci://".length);
      const slash = rest.indexOf("/");
      if (slash < 0) return { refused: "name the project or path the charts are in (oci://host/charts)" };
      return REGISTRY.test(rest) && isRegistryHost(rest.slice(0, slash)) ? v : undefined;
    }
    try {
      const u = new URL(v);
      if (u.protocol !== "https:") return { refused: `${u.protocol}// is not allowed` };
      return u.search === "" && u.hash === "" && u.username === "" ? v : undefined;
    } catch {
      return undefined;
    }
  });
}

/**
 * A CA file on the machine running Pulumi (Helm reads it there, as repositoryOpts.caFile): an
 * absolute path to a readable PEM with at least one CA certificate.
 */
export function caFilePath() {
  const allowed = "an absolute path, on the machine running Pulumi, to a PEM file of the CA certificate(s)";
  return leaf<string>({ type: "path", allowed }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v) || !path.isAbsolute(v)) return undefined;
    let pem: string;
    try {
      pem = fs.readFileSync(v, "utf8");
    } catch {
      return { refused: "no readable file there" };
    }
    const problem = caPemProblem(pem);
    if (problem !== undefined) return { refused: problem };
    return v;
  });
}

/** A site range: a CIDR, never all addresses (that is the internet the site cannot reach). */
export function siteCidr() {
  const allowed = "a CIDR of the site's own network, like 10.0.0.0/8";
  return leaf<string>({ type: "CIDR", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    const c = parseCidr(v);
    if ("error" in c) return { refused: c.error };
    return c.prefix === 0 ? { refused: "a /0 is every address, the internet included" } : v;
  });
}

/**
 * Upstream registries Harbor 2.15 can proxy-cache for the stacks, with the registry type and URL
 * of each. A proxy-cache project needs a type in PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE, which
 * harbor-helm 1.19.2 templates/core/core-cm.yaml sets to docker-hub, harbor, azure-acr, ali-acr,
 * aws-ecr, google-gcr, docker-registry, github-ghcr, jfrog-artifactory (goharbor/harbor v2.15.2
 * src/server/v2.0/handler/project.go validateProjectReq refuses any other: "unsupported registry
 * type"). `quay` left that list in goharbor/harbor#22237 (Aug 2025).
 */
export const PROXY_CACHE_UPSTREAMS = {
  // Docker Hub's endpoint as Harbor's docker-hub adapter names it (src/pkg/reg/adapter/dockerhub
  // consts.go baseURL); official images are library/<name> through the project.
  "docker.io": { type: "docker-hub", url: "https://hub.docker.com" },
  // src/pkg/reg/adapter/githubcr/adapter.go: the endpoint ghcr.io -> https://ghcr.io.
  "ghcr.io": { type: "github-ghcr", url: "https://ghcr.io" },
  // A plain distribution registry; it answers blob requests with redirects to other hosts, which
  // Harbor follows (Go's http.Client default; src/pkg/registry/client.go sets no CheckRedirect).
  "registry.k8s.io": { type: "docker-registry", url: "https://registry.k8s.io" },
} as const;
export type ProxyCacheUpstream = keyof typeof PROXY_CACHE_UPSTREAMS;

/** Upstreams a user may expect and Harbor 2.15 cannot proxy-cache: why not, in one line. */
const NOT_PROXYABLE: Readonly<Record<string, string>> = {
  "quay.io":
    "Harbor 2.15 does not permit quay as a proxy-cache registry type (harbor-helm 1.19.2 core-cm.yaml PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE); copy quay.io's images into the mirror instead",
};

export function proxyCacheUpstream() {
  const names = Object.keys(PROXY_CACHE_UPSTREAMS);
  const allowed = `one of ${names.join(", ")}`;
  return leaf<ProxyCacheUpstream>({ type: "registry", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    if (v in NOT_PROXYABLE) return { refused: NOT_PROXYABLE[v] };
    return names.includes(v) ? (v as ProxyCacheUpstream) : undefined;
  });
}

/** RFC 1918: where a site's own services usually are. */
export const PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

const SECRET_KEY_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export const MIRROR_KEYS = {
  mirror: key({
    schema: section({
      registry: registryPrefix().optional().meta({
        doc: "Registry every image is pulled from, as <registry>/<upstream host>/<path>:<tag> (docker.io/library/<name> for official images): a copy made with skopeo sync --scoped, or Harbor proxy-cache projects named after each upstream host. With it set, egress is confined to siteCidrs",
      }),
      charts: section({
        url: chartRepositoryUrl().meta({
          doc: "Where every chart is fetched, by its own name and pinned version",
        }),
        caFile: caFilePath().optional().meta({
          doc: "CA of the chart repository, on the machine running Pulumi (for oci://, used only with credentials)",
        }),
        username: text().optional().meta({ doc: "Repository user" }),
        passwordSecret: pattern(SECRET_KEY_NAME, "a config key name like chartMirrorPassword")
          .optional()
          .meta({ doc: "Secret config key holding the repository password" }),
      })
        .optional()
        .meta({
          doc: "Chart repository holding every pinned chart (OCI, e.g. a Harbor project, or an https chart repository)",
        }),
      siteCidrs: listOf(siteCidr(), 1)
        .optional()
        .meta({
          doc: "Address ranges of the site's own services (mirror, object store, ELK, syslog, login, AWS private endpoints); with registry set, egress that would go anywhere goes only here",
          defaultText: PRIVATE_CIDRS.join(", "),
        }),
      harborProxyCaches: listOf(proxyCacheUpstream())
        .optional()
        .meta({
          doc: `Proxy-cache projects Harbor keeps for these upstream registries, each named after the host (${Object.keys(PROXY_CACHE_UPSTREAMS).join(", ")}); quay.io is not a permitted type in Harbor 2.15`,
        }),
    }),
    doc: "Air-gapped site: charts from an internal repository, images from an internal registry (references still pinned), egress confined to the site; optionally Harbor proxy-caches the upstream registries.",
    group: RESTRICTED,
  }),
} as const;

export type MirrorKeys = typeof MIRROR_KEYS;
export type MirrorValue = z.output<MirrorKeys["mirror"]["schema"]>;
