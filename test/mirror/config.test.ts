// The `mirror` section as the user writes it: what it becomes, and the one line a bad value gets.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { parseConfig, type RawConfig } from "../../config";
import { makeCa } from "../fakes/pki";
import { configFailure } from "../config/failure";
import { StackSecret, stackConfig } from "../harness";

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
