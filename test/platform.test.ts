// What the dev and prod stacks register, as Harbor and the cluster would see it.
import { expect } from "chai";
import { at, evaluateStack, type Registered, type StackRun } from "./harness";
import { expectDefaultDeny, flowPolicies, flowPolicy } from "./reachability/network-policy";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";

/** Chart values that, left empty, make the chart generate a secret on every render. */
const CHART_GENERATED_UNLESS_SET = [
  "existingSecretAdminPassword",
  "existingSecretSecretKey",
  "core.existingSecret",
  "core.existingXsrfSecret",
  "core.secretName",
  "jobservice.existingSecret",
  "registry.existingSecret",
  "registry.credentials.existingSecret",
  "expose.tls.secret.secretName",
];
/** Literal secrets the chart accepts but that must never be used (existingSecret instead). */
const PLAIN_SECRET_VALUES = [
  "harborAdminPassword",
  "secretKey",
  "core.secret",
  "core.xsrfKey",
  "core.tokenKey",
  "jobservice.secret",
  "registry.secret",
  "registry.credentials.password",
  "registry.credentials.htpasswdString",
];

function secretsOf(run: StackRun): Map<string, Registered> {
  return new Map(run.byType(SECRET).map((s) => [String(at(s.inputs, "metadata.name")), s]));
}

describe("dev stack", () => {
  let run: StackRun;
  let values: Record<string, unknown>;
  before(async () => {
    run = await evaluateStack("dev");
    values = run.one(RELEASE, "harbor").inputs.values as Record<string, unknown>;
  });

  it("installs Harbor 1.19.2 from helm.goharbor.io, literal name and namespace, after its Secrets", () => {
    const harbor = run.one(RELEASE, "harbor");
    expect(harbor.inputs).to.include({
      chart: "harbor",
      version: "1.19.2",
      namespace: "harbor",
      name: "harbor",
    });
    expect(at(harbor.inputs, "repositoryOpts.repo")).to.equal("https://helm.goharbor.io");
    const secretUrns = run.byType(SECRET).map((s) => s.urn);
    expect(harbor.dependencies).to.include.members(secretUrns);
  });

  it("serves https on the configured host through a Traefik ingress with the project's certificate", () => {
    expect(at(values, "externalURL")).to.equal("https://harbor.dev.example.com");
    expect(at(values, "expose")).to.deep.include({ type: "ingress" });
    expect(at(values, "expose.ingress.hosts.core")).to.equal("harbor.dev.example.com");
    expect(at(values, "expose.ingress.className")).to.equal("traefik");
    expect(at(values, "expose.tls")).to.deep.equal({
      enabled: true,
      certSource: "secret",
      secret: { secretName: "harbor-tls" },
    });
    const tls = secretsOf(run).get("harbor-tls");
    expect(tls?.inputs.type).to.equal("kubernetes.io/tls");
    expect(Object.keys(at(tls?.inputs, "stringData") as object)).to.have.members([
      "tls.crt",
      "tls.key",
      "ca.crt",
    ]);
  });

  it("uses the chart's internal database and Redis, images on the NAS class, Trivy on local disk", () => {
    expect(at(values, "database.type")).to.equal("internal");
    // The chart's internal Redis (type unset: its default, internal); only its image is set.
    expect(at(values, "redis.type")).to.equal(undefined);
    expect(Object.keys(at(values, "redis") as object)).to.deep.equal(["internal"]);
    expect(at(values, "persistence.imageChartStorage.type")).to.equal("filesystem");
    expect(at(values, "persistence.persistentVolumeClaim.registry")).to.deep.equal({
      storageClass: "nfs-client",
      accessMode: "ReadWriteMany",
      size: "50Gi",
    });
    expect(at(values, "persistence.persistentVolumeClaim.trivy.storageClass")).to.equal("local-path");
    expect(at(values, "persistence.resourcePolicy")).to.equal("keep");
  });

  it("runs one replica of each component, with metrics and upload purging on", () => {
    for (const c of ["core", "jobservice", "registry", "portal", "exporter", "trivy"]) {
      expect(at(values, `${c}.replicas`), c).to.equal(1);
      expect(at(values, `${c}.podDisruptionBudget.enabled`), c).to.equal(false);
    }
    expect(at(values, "metrics.enabled")).to.equal(true);
    expect(at(values, "registry.upload_purging")).to.deep.equal({
      enabled: true,
      age: "168h",
      interval: "24h",
      dryrun: false,
    });
  });

  it("leaves no secret to the chart: every generated value comes from a Secret the project owns", () => {
    const owned = secretsOf(run);
    for (const path of CHART_GENERATED_UNLESS_SET) {
      const name = at(values, path);
      expect(name, path).to.be.a("string").and.not.equal("");
      expect(owned.has(String(name)), `${path} -> ${name}`).to.equal(true);
    }
    for (const path of PLAIN_SECRET_VALUES) expect(at(values, path), path).to.equal(undefined);
    const creds = owned.get("harbor-credentials");
    expect(Object.keys(at(creds?.inputs, "stringData") as object)).to.have.members([
      "HARBOR_ADMIN_PASSWORD",
      "secretKey",
      "secret",
      "JOBSERVICE_SECRET",
      "REGISTRY_HTTP_SECRET",
      "REGISTRY_PASSWD",
      "REGISTRY_HTPASSWD",
      "CSRF_KEY",
    ]);
    expect(at(creds?.inputs, "stringData.REGISTRY_HTPASSWD")).to.match(/^harbor_registry_user:\$2a\$/);
    expect(String(at(creds?.inputs, "stringData.secretKey"))).to.have.length(16);
    expect(String(at(creds?.inputs, "stringData.CSRF_KEY"))).to.have.length(32);
  });

  it("keeps every secret secret: Secret data, private keys and the DB password in the values", () => {
    for (const s of run.byType(SECRET)) expect(s.secretPaths, s.name).to.include("stringData");
    // Only the password leaf: the rest of the values stays plain for previews and the policy pack.
    expect(run.one(RELEASE, "harbor").secretPaths).to.deep.equal(["values.database.internal.password"]);
    expect(at(values, "database.internal.password")).to.be.a("string").with.length(32);
    for (const key of run.byType("tls:index/privateKey:PrivateKey")) {
      const users = run.resources.filter((r) => r.dependencies.includes(key.urn));
      for (const user of users)
        expect(user.secretPaths.join(), user.name).to.match(/privateKeyPem|stringData/i);
    }
  });

  it("exports the URL, the admin user, the admin password as a secret, and the CA", () => {
    expect(run.outputs.harborUrl).to.deep.equal({ value: "https://harbor.dev.example.com", secret: false });
    expect(run.outputs.adminUsername).to.deep.equal({ value: "admin", secret: false });
    expect(run.outputs.adminPassword.secret).to.equal(true);
    expect(String(run.outputs.caCert.value)).to.contain("BEGIN CERTIFICATE");
  });

  it("creates its namespace with Pod Security labels and a storage quota", () => {
    const ns = run.one("kubernetes:core/v1:Namespace");
    expect(at(ns.inputs, "metadata.name")).to.equal("harbor");
    expect(at(ns.inputs, "metadata.labels")).to.include({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    const quota = run.one("kubernetes:core/v1:ResourceQuota");
    expect(at(quota.inputs, "metadata.namespace")).to.equal("harbor");
    expect(at(quota.inputs, "spec.hard")).to.deep.equal({
      "requests.storage": "500Gi",
      persistentvolumeclaims: "20",
    });
  });

  it("wires the same secrets on a second evaluation (nothing regenerated per run)", async () => {
    const again = await evaluateStack("dev", {}, { fresh: true });
    const wiring = (r: StackRun) =>
      r.resources
        .filter(
          (x) =>
            x.type === SECRET ||
            x.type === RELEASE ||
            x.type.startsWith("random:") ||
            x.type.startsWith("tls:"),
        )
        .map((x) => ({ type: x.type, name: x.name, inputs: x.inputs }));
    expect(wiring(again)).to.deep.equal(wiring(run));
  });

  it("does not protect dev data, so a dev stack can be torn down", () => {
    expect(run.resources.filter((r) => r.protect)).to.deep.equal([]);
  });

  it("keeps the chart-internal database and Redis, images on NAS, and no prod tier", () => {
    const values = run.one(RELEASE, "harbor").inputs.values;
    expect(at(values, "database.type")).to.equal("internal");
    // The chart's internal Redis (type unset: its default, internal); only its image is set.
    expect(at(values, "redis.type")).to.equal(undefined);
    expect(Object.keys(at(values, "redis") as object)).to.deep.equal(["internal"]);
    expect(at(values, "persistence.persistentVolumeClaim.registry.storageClass")).to.equal("nfs-client");
    expect(run.byType(RELEASE)).to.have.length(1);
  });

  it("denies traffic by default in Harbor's namespace and admits the ingress controller", () => {
    const ns = String(run.one(RELEASE, "harbor").inputs.namespace);
    expectDefaultDeny(run, ns);
    expect([...flowPolicies(run, ns).keys()]).to.include.members([
      "dns",
      "from-ingress-core",
      "from-ingress-portal",
    ]);
    for (const component of ["core", "portal"]) {
      const fromIngress = flowPolicy(run, ns, `from-ingress-${component}`).spec;
      expect(fromIngress.podSelector).to.deep.equal({
        matchLabels: { app: "harbor", component },
      });
      expect(fromIngress.ingress).to.deep.equal([
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }],
          ports: [
            { protocol: "TCP", port: 8080 },
            { protocol: "TCP", port: 8443 },
          ],
        },
      ]);
    }
  });
});

describe("exposure by config", () => {
  it("renders a Gateway API HTTPRoute for gateway exposure", async () => {
    const run = await evaluateStack("dev", {
      exposure: "gateway",
      ingressClassName: undefined,
      gatewayParentRefs: [{ name: "public", namespace: "gateways", sectionName: "https" }],
    });
    const values = run.one(RELEASE, "harbor").inputs.values;
    expect(at(values, "expose.type")).to.equal("route");
    expect(at(values, "expose.route")).to.deep.equal({
      hosts: ["harbor.dev.example.com"],
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "public",
          namespace: "gateways",
          sectionName: "https",
        },
      ],
    });
  });

  it("renders a LoadBalancer service with nginx terminating TLS", async () => {
    const run = await evaluateStack("dev", { exposure: "loadBalancer", ingressClassName: undefined });
    const values = run.one(RELEASE, "harbor").inputs.values;
    expect(at(values, "expose.type")).to.equal("loadBalancer");
    expect(at(values, "expose.tls.certSource")).to.equal("secret");
    expect(at(values, "nginx.replicas")).to.equal(1);
  });
});
