// Container image references, read as the container runtime does: the grammar of
// distribution/reference v0.6.0 regexp.go (ReferenceRegexp: name, optional `:tag`, optional
// `@digest`) and the familiar-name rule of its normalize.go splitDockerDomain (which first
// component is a registry host). No maintained parser of this grammar is among the project's
// dependencies, so the productions are spelled out here under their upstream names, once for
// the whole project.

// regexp.go: alphanumeric, separator, pathComponent, remoteName.
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
export const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
// regexp.go: domainNameComponent, domainName, ipv6address, host, optionalPort, domainAndPort.
const DOMAIN_NAME_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6_ADDRESS = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN_AND_PORT}$`);
// regexp.go: tag, digestPat (`[[:xdigit:]]` is [0-9A-Fa-f]), namePat, referencePat.
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/**
 * The digests Parse accepts beyond digestPat: opencontainers/go-digest v1.0.0 algorithm.go
 * anchoredEncodedRegexps (lower-case hex of the hash's size).
 */
const ENCODED: ReadonlyMap<string, RegExp> = new Map([
  ["sha256", /^[a-f0-9]{64}$/],
  ["sha384", /^[a-f0-9]{96}$/],
  ["sha512", /^[a-f0-9]{128}$/],
]);

/** reference.go RepositoryNameTotalLengthMax: the longest path after anchoredNameRegexp's domain. */
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;

/**
 * Whether a reference's first path component names a registry rather than a Docker Hub
 * namespace (normalize.go splitDockerDomain): `localhost`, anything with a `.` or `:`, or
 * anything not in lower case; `mirror/x` is docker.io/mirror/x.
 */
export const isRegistryHost = (first: string): boolean =>
  first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first;

export interface ImageReference {
  /** The registry host[:port] when the reference names one (splitDockerDomain), else undefined. */
  readonly domain?: string;
  /** The repository path after the registry, as written (`busybox`, not `library/busybox`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `text` read as an image reference (ReferenceRegexp, then splitDockerDomain), or undefined. */
export function parseImageReference(text: string): ImageReference | undefined {
  const m = REFERENCE.exec(text);
  if (!m) return undefined;
  const [, name, tag, digest] = m;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  // reference.go Parse measures the path after whatever first component reads as a domain,
  // before splitDockerDomain decides whether it is one.
  const parsedPath = slash >= 0 && ANCHORED_DOMAIN.test(first) ? name.slice(slash + 1) : name;
  if (parsedPath.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX) return undefined;
  if (digest !== undefined) {
    const colon = digest.indexOf(":");
    if (!ENCODED.get(digest.slice(0, colon))?.test(digest.slice(colon + 1))) return undefined;
  }
  const hasDomain = slash >= 0 && isRegistryHost(first);
  const path = hasDomain ? name.slice(slash + 1) : name;
  return {
    ...(hasDomain ? { domain: first } : {}),
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}
