// The `mirror` section as the user writes it: what it becomes, and the one line a bad value gets.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { parseConfig, type RawConfig } from "../../config";
import { makeCa } from "../fakes/pki";
import { configFailure } from "../config/failure";
import { StackSecret, stackConfig } from "../harness";
import { prodBehindProxy } from "../restricted/fixtures";

const failure = (raw: () => RawConfig): string =>
  configFailure(() => parseConfig(raw(), { secretKeys: new Set(["elkApiKey", "chartMirrorPassword"]) }));

const prod = (mirror: unknown, extra: Record<string, unknown> = {}): RawConfig =>
  stackConfig("prod", { mirror, ...extra });

describe("mirror: config", () => {
  let dir: string;
  let caFile: string;
  let leafFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-ca-"));
    const ca = makeCa("site CA");
    caFile = path.join(dir, "ca.pem");
    fs.writeFileSync(caFile, ca.cert);
    leafFile = path.join(dir, "leaf.pem");
    fs.writeFileSync(leafFile, ca.serverCert().cert);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("shapes a complete section; egress is confined to the private ranges unless told otherwise", () => {
    const cfg = parseConfig(
      prod(
        {
          registry: "harbor.site.example:8443/mirror",
          charts: {
            url: "https://charts.site.example/stable",
            caFile,
            username: "ci",
            passwordSecret: "chartMirrorPassword",
          },
        },
        { chartMirrorPassword: new StackSecret("pw") },
      ),
      { secretKeys: new Set(["elkApiKey", "chartMirrorPassword"]) },
    );
    expect(cfg.mirror).to.deep.equal({
      registry: "harbor.site.example:8443/mirror",
      charts: {
        kind: "https",
        url: "https://charts.site.example/stable",
        caFile,
        username: "ci",
        passwordSecret: "chartMirrorPassword",
      },
      siteCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
      harborProxyCaches: [],
    });
    expect(cfg.secretKeys).to.include("chartMirrorPassword");
  });

  it("leaves the section out of a stack without it", () => {
    expect(parseConfig(stackConfig("prod")).mirror).to.equal(undefined);
    expect(parseConfig(stackConfig("dev")).mirror).to.equal(undefined);
  });

  const REFUSED: [string, () => RawConfig, string | (() => string)][] = [
    [
      "a URL where a registry host is expected",
      () => prod({ registry: "https://harbor.site.example/mirror" }),
      'harbor-platform:mirror.registry = "https://harbor.site.example/mirror": a registry host[:port] with an optional /path prefix and no scheme, like harbor.example.com/mirror; drop the https:// (images are pulled as harbor.site.example/mirror/...)',
    ],
    [
      "a first component Docker would read as a Docker Hub namespace",
      () => prod({ registry: "mirror/platform" }),
      'harbor-platform:mirror.registry = "mirror/platform": a registry host[:port] with an optional /path prefix and no scheme, like harbor.example.com/mirror; mirror has no dot or port, so it would be read as a Docker Hub namespace',
    ],
    [
      "an upper-case path",
      () => prod({ registry: "harbor.site.example/Mirror" }),
      'harbor-platform:mirror.registry = "harbor.site.example/Mirror": a registry host[:port] with an optional /path prefix and no scheme, like harbor.example.com/mirror',
    ],
    [
      "a chart repository without a scheme",
      () => prod({ registry: "harbor.site.example", charts: { url: "harbor.site.example/charts" } }),
      'harbor-platform:mirror.charts.url = "harbor.site.example/charts": an oci://host[:port]/path chart registry (Helm pulls oci://<url>/<chart>) or an https:// chart repository URL (with an index.yaml)',
    ],
    [
      "a plain-http chart repository",
      () => prod({ charts: { url: "http://charts.site.example" } }),
      'harbor-platform:mirror.charts.url = "http://charts.site.example": an oci://host[:port]/path chart registry (Helm pulls oci://<url>/<chart>) or an https:// chart repository URL (with an index.yaml); http:// is not allowed',
    ],
    [
      "an OCI registry without the project the charts are in",
      () => prod({ charts: { url: "oci://harbor.site.example" } }),
      'harbor-platform:mirror.charts.url = "oci://harbor.site.example": an oci://host[:port]/path chart registry (Helm pulls oci://<url>/<chart>) or an https:// chart repository URL (with an index.yaml); name the project or path the charts are in (oci://host/charts)',
    ],
    [
      "a CA file that is not there",
      () => prod({ charts: { url: "https://charts.site.example", caFile: "/nonexistent/site-ca.pem" } }),
      'harbor-platform:mirror.charts.caFile = "/nonexistent/site-ca.pem": an absolute path, on the machine running Pulumi, to a PEM file of the CA certificate(s); no readable file there',
    ],
    [
      "a relative CA file path",
      () => prod({ charts: { url: "https://charts.site.example", caFile: "site-ca.pem" } }),
      'harbor-platform:mirror.charts.caFile = "site-ca.pem": an absolute path, on the machine running Pulumi, to a PEM file of the CA certificate(s)',
    ],
    [
      "a CA file holding a server certificate",
      () => prod({ charts: { url: "https://charts.site.example", caFile: leafFile } }),
      () =>
        `harbor-platform:mirror.charts.caFile = "${leafFile}": an absolute path, on the machine running Pulumi, to a PEM file of the CA certificate(s); certificate 1 is not a CA`,
    ],
    [
      "a CA for an OCI registry that pulumi-kubernetes would ignore (no credentials)",
      () => prod({ charts: { url: "oci://harbor.site.example/charts", caFile } }),
      () =>
        `harbor-platform:mirror.charts.caFile = "${caFile}": used for oci:// only with username and passwordSecret; without credentials trust the CA on the machine running Pulumi (its system store or SSL_CERT_FILE)`,
    ],
    [
      "a user without a password",
      () => prod({ charts: { url: "oci://harbor.site.example/charts", username: "ci" } }),
      "harbor-platform:mirror.charts.passwordSecret = (unset): required with username: the secret config key holding the password",
    ],
    [
      "a password named but not set",
      () =>
        prod({
          charts: {
            url: "oci://harbor.site.example/charts",
            username: "ci",
            passwordSecret: "chartMirrorPassword",
          },
        }),
      "harbor-platform:chartMirrorPassword = (unset): required by mirror.charts.passwordSecret: a secret: set it with pulumi config set --secret chartMirrorPassword <value>",
    ],
    [
      "quay.io as a proxy cache",
      () => prod({ harborProxyCaches: ["docker.io", "quay.io"] }),
      'harbor-platform:mirror.harborProxyCaches[1] = "quay.io": one of docker.io, ghcr.io, registry.k8s.io; Harbor 2.15 does not permit quay as a proxy-cache registry type (harbor-helm 1.19.2 core-cm.yaml PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE); copy quay.io\'s images into the mirror instead',
    ],
    [
      "an upstream the program has no proxy cache for",
      () => prod({ harborProxyCaches: ["gcr.io"] }),
      'harbor-platform:mirror.harborProxyCaches[0] = "gcr.io": one of docker.io, ghcr.io, registry.k8s.io',
    ],
    [
      "a proxy cache listed twice",
      () => prod({ harborProxyCaches: ["ghcr.io", "ghcr.io"] }),
      'harbor-platform:mirror.harborProxyCaches = ["ghcr.io","ghcr.io"]: each registry once (ghcr.io is listed twice)',
    ],
    [
      "site ranges without a registry",
      () => prod({ charts: { url: "oci://harbor.site.example/charts" }, siteCidrs: ["10.0.0.0/8"] }),
      'harbor-platform:mirror.siteCidrs = ["10.0.0.0/8"]: only used with mirror.registry (egress is confined to the site when images come from it)',
    ],
    [
      "every address as the site",
      () => prod({ registry: "harbor.site.example", siteCidrs: ["0.0.0.0/0"] }),
      'harbor-platform:mirror.siteCidrs[0] = "0.0.0.0/0": a CIDR of the site\'s own network, like 10.0.0.0/8; a /0 is every address, the internet included',
    ],
    [
      "an empty section",
      () => prod({}),
      "harbor-platform:mirror = {}: set registry, charts or harborProxyCaches (or remove mirror)",
    ],
    [
      "a misspelt field",
      () => prod({ regsitry: "harbor.site.example" }),
      'harbor-platform:mirror.regsitry = "harbor.site.example": unknown key; did you mean `registry`?',
    ],
  ];
  for (const [what, raw, message] of REFUSED)
    it(`refuses ${what}`, () => {
      expect(failure(raw)).to.equal(typeof message === "string" ? message : message());
    });
});

describe("mirror: an air-gapped site refuses what it cannot reach", () => {
  // mirror.registry without a proxy: the NetworkPolicies confine egress to siteCidrs, so a
  // download from the internet or a call to an address outside them would fail only at run time.
  const REGISTRY = "harbor.site.example/mirror";
  const gapped = (extra: Record<string, unknown>, mirror: Record<string, unknown> = {}): RawConfig =>
    prod({ registry: REGISTRY, ...mirror }, extra);
  const accepts = (raw: RawConfig) =>
    expect(() => parseConfig(raw, { secretKeys: new Set(["elkApiKey", "oidcClientSecret"]) })).to.not.throw();
  const WHY = "an air-gapped site (mirror.registry without proxy) reaches only mirror.siteCidrs";
  const PRIVATE = "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16";

  const minio = (repository: string) => ({
    objectStore: {
      mode: "minio",
      nodes: 4,
      drivesPerNode: 2,
      driveSize: "500Gi",
      image: { repository, tag: "patched-1" },
    },
  });
  it("a replacement MinIO image from a public registry (it is used as given, not mirrored)", () => {
    expect(failure(() => gapped(minio("quay.io/minio/minio")))).to.equal(
      `harbor-platform:objectStore.image.repository = "quay.io/minio/minio": a repository on the site (under ${REGISTRY}, the mirror): quay.io is on the internet, and ${WHY}`,
    );
    // Docker Hub's, as the runtime resolves a name without a registry host.
    expect(failure(() => gapped(minio("minio/minio")))).to.match(/: docker\.io is on the internet, /);
    expect(failure(() => gapped(minio("203.0.113.10:5000/minio")))).to.equal(
      `harbor-platform:objectStore.image.repository = "203.0.113.10:5000/minio": an address within ${PRIVATE}: ${WHY}`,
    );
    accepts(gapped(minio(`${REGISTRY}/quay.io/minio/minio`)));
    // A name not known to be public may resolve into the site: not judged.
    accepts(gapped(minio("registry.corp.example/minio")));
  });

  it("Trivy's databases from a public registry", () => {
    const trivy = (db: string, javaDb: string) => ({
      trivy: { dbRepository: [db], javaDbRepository: [javaDb] },
    });
    const onSite = `${REGISTRY}/ghcr.io/aquasecurity/trivy-java-db`;
    expect(failure(() => gapped(trivy("ghcr.io/aquasecurity/trivy-db", onSite)))).to.equal(
      `harbor-platform:trivy.dbRepository[0] = "ghcr.io/aquasecurity/trivy-db": a repository on the site (under ${REGISTRY}, the mirror): ghcr.io is on the internet, and ${WHY}`,
    );
    expect(
      failure(() =>
        gapped(trivy(`${REGISTRY}/ghcr.io/aquasecurity/trivy-db`, "mirror.gcr.io/aquasec/trivy-java-db")),
      ),
    ).to.match(
      /^harbor-platform:trivy\.javaDbRepository\[0\] = "mirror\.gcr\.io\/aquasec\/trivy-java-db": .*: mirror\.gcr\.io is on the internet/,
    );
    accepts(gapped(trivy(`${REGISTRY}/ghcr.io/aquasecurity/trivy-db`, onSite)));
  });

  it("a public ACME server (Let's Encrypt, certManager.acme.server's default)", () => {
    const acme = (server?: string) => ({
      certManager: { issuer: "acme", acme: { email: "ops@site.example", ...(server ? { server } : {}) } },
    });
    expect(failure(() => gapped(acme()))).to.equal(
      `harbor-platform:certManager.acme.server = "https://acme-v02.api.letsencrypt.org/directory": an ACME server on the site, or certManager.issuer ca: acme-v02.api.letsencrypt.org is on the internet, and ${WHY}`,
    );
    accepts(gapped(acme("https://acme.site.example/acme/directory")));
  });

  it("endpoints given as addresses outside siteCidrs: logging, syslog, Harbor's registries and login", () => {
    const logging = (endpoint: string) => ({
      logging: { output: "es", endpoint, auth: "apiKey", credentialsSecret: "elkApiKey" },
    });
    expect(failure(() => gapped(logging("https://203.0.113.7:9200")))).to.equal(
      `harbor-platform:logging.endpoint = "203.0.113.7": an address within ${PRIVATE}: ${WHY}`,
    );
    expect(
      failure(() => gapped({ auditLogSyslog: "192.168.1.5:514" }, { siteCidrs: ["10.0.0.0/8"] })),
    ).to.equal(`harbor-platform:auditLogSyslog = "192.168.1.5": an address within 10.0.0.0/8: ${WHY}`);
    expect(failure(() => gapped({ auditLogSyslog: "[2001:db8::5]:514" }))).to.match(
      /^harbor-platform:auditLogSyslog = "2001:db8::5": an address within /,
    );
    const registry = { name: "upstream", type: "harbor", url: "https://198.51.100.20" };
    expect(failure(() => gapped({ harborConfig: { registries: [registry] } }))).to.match(
      /^harbor-platform:harborConfig\.registries\[1\]\.url = "198\.51\.100\.20": an address within /,
    );
    const oidc = (endpoint: string) => ({
      oidcClientSecret: new StackSecret("s"),
      harborConfig: {
        settings: {
          auth: {
            mode: "oidc",
            oidc: { endpoint, clientId: "harbor", clientSecret: { secretKey: "oidcClientSecret" } },
          },
        },
      },
    });
    expect(failure(() => gapped(oidc("https://8.8.8.8/realms/harbor")))).to.match(
      /^harbor-platform:harborConfig\.settings\.auth\.oidc\.endpoint = "8\.8\.8\.8": an address within /,
    );
    accepts(gapped({ ...logging("https://10.30.0.7:9200"), auditLogSyslog: "10.30.0.8:514" }));
    accepts(gapped(oidc("https://10.30.0.9/realms/harbor")));
  });

  it("leaves all of it to the proxy when one carries what leaves the site", () => {
    accepts(
      prod(
        { registry: REGISTRY },
        {
          ...prodBehindProxy(),
          trivy: {
            dbRepository: ["ghcr.io/aquasecurity/trivy-db"],
            javaDbRepository: ["ghcr.io/aquasecurity/trivy-java-db"],
          },
        },
      ),
    );
  });
});
