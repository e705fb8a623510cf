// Clusters that already run operators: with `existingOperators` the stacks install none of the
// named ones (no Release, no namespace, no NetworkPolicies of theirs), check each one's CRDs (and
// the named ClusterIssuer) by reading them before anything that relies on it is created, and wire
// their resources to the cluster's installation. The checks themselves run against the pinned
// upstream CRDs (the harness's cluster answers reads with them).
import { expect } from "chai";
import {
  OPERATOR_CRDS,
  crdProblem,
  existingOperatorChecks,
  issuerProblem,
  type CrdLike,
} from "../../components/platform/preflight";
import { conformanceProblems } from "../conformance/check";
import { clusterCrd } from "../harness/mock-outputs";
import { at, evaluateStack, type Registered, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const meta = (r: Registered, key: string) => at(r.inputs, `metadata.${key}`);
const charts = (run: StackRun) => run.byType(RELEASE).map((r) => r.inputs.chart);
const namespaces = (run: StackRun) => run.byType("kubernetes:core/v1:Namespace").map((r) => meta(r, "name"));
const readUrns = (run: StackRun, ...crds: string[]) =>
  run.reads.filter((r) => r.type === CRD && crds.includes(String(r.inputs.id))).map((r) => r.urn);

const ALL_EXISTING = {
  existingOperators: {
    certManager: { clusterIssuer: "corp-ca" },
    cloudnativePg: { namespace: "cnpg-system" },
    velero: { namespace: "velero" },
  },
};

describe("existing operators: prod on a cluster that runs them all", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod", ALL_EXISTING);
  });

  it("installs none of them: no release, no namespace, no NetworkPolicy of theirs", () => {
    expect(charts(run)).to.have.members(["harbor", "redis-ha", "minio", "fluent-bit"]);
    expect(namespaces(run)).to.not.include.members(["cert-manager", "cnpg-system", "velero"]);
    const policed = run
      .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((p) => meta(p, "namespace"));
    expect(policed).to.not.include.members(["cert-manager", "cnpg-system", "velero"]);
    // The default prod stack does install them.
  });

  it("reads each operator's CRDs and the named ClusterIssuer, and nothing else", () => {
    const expected = [
      ...OPERATOR_CRDS.certManager,
      ...OPERATOR_CRDS.cloudnativePg,
      ...OPERATOR_CRDS.barmanCloudPlugin,
      ...OPERATOR_CRDS.velero,
      ...OPERATOR_CRDS.prometheusOperator,
    ].map((c) => c.crd);
    expect(run.reads.filter((r) => r.type === CRD).map((r) => r.inputs.id)).to.have.members(expected);
    expect(run.reads.filter((r) => r.type !== CRD).map((r) => [r.type, r.inputs.id])).to.deep.equal([
      ["kubernetes:cert-manager.io/v1:ClusterIssuer", "corp-ca"],
    ]);
  });

  it("issues Harbor's public certificate from the named ClusterIssuer, internal ones from the project CA", () => {
    const certs = run.byType(CERTIFICATE);
    const issuerOf = (secret: string) =>
      at(certs.find((c) => at(c.inputs, "spec.secretName") === secret)?.inputs, "spec.issuerRef.name");
    expect(issuerOf("harbor-ingress-tls")).to.equal("corp-ca");
    expect(issuerOf("harbor-core-internal-tls")).to.equal("harbor-platform-ca");
    // The issuer decides the public certificate's lifetime; the portal offers no project CA for it.
    const pub = certs.find((c) => at(c.inputs, "spec.secretName") === "harbor-ingress-tls") as Registered;
    expect(at(pub.inputs, "spec.duration")).to.equal(undefined);
    expect(pub.dependencies).to.include.members(
      run.reads.map((r) => r.urn).filter((u) => u.includes("cluster-issuer")),
    );
    const values = run.one(RELEASE, "harbor").inputs.values as Record<string, unknown>;
    expect(values).to.not.have.property("caSecretName");
  });

  it("seeds the project CA issuer on the cluster's cert-manager, its Secret in cert-manager's namespace", () => {
    const issuer = run.one("kubernetes:cert-manager.io/v1:ClusterIssuer");
    expect(meta(issuer, "name")).to.equal("harbor-platform-ca");
    const secret = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => meta(s, "name") === "harbor-platform-root-ca");
    expect(meta(secret as Registered, "namespace")).to.equal("cert-manager");
    const certManagerCrds = readUrns(run, ...OPERATOR_CRDS.certManager.map((c) => c.crd));
    expect(issuer.dependencies).to.include.members(certManagerCrds);
  });

  it("puts the database on the cluster's CloudNativePG after checking its CRDs, and lets its namespace reach the instances", () => {
    const cnpgCrds = readUrns(run, ...OPERATOR_CRDS.cloudnativePg.map((c) => c.crd));
    const cluster = run.one("kubernetes:postgresql.cnpg.io/v1:Cluster");
    expect(cluster.dependencies).to.include.members(cnpgCrds);
    expect(run.one("kubernetes:postgresql.cnpg.io/v1:Backup").dependencies).to.include.members(cnpgCrds);
    expect(run.one("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup").dependencies).to.include(cluster.urn);
    expect(run.one("kubernetes:barmancloud.cnpg.io/v1:ObjectStore").dependencies).to.include.members(
      readUrns(run, "objectstores.barmancloud.cnpg.io"),
    );
    const dbPolicy = run
      .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .find((p) => meta(p, "namespace") === "harbor-db" && JSON.stringify(p.inputs).includes("cnpg-system"));
    expect(dbPolicy, "the operator's namespace admitted to the instances").to.not.equal(undefined);
  });

  it("adds its own backup location and schedule to the cluster's Velero, named apart, with their own credentials", () => {
    const bsl = run.one("kubernetes:velero.io/v1:BackupStorageLocation");
    expect(at(bsl.inputs, "metadata")).to.deep.include({ name: "harbor-platform", namespace: "velero" });
    expect(at(bsl.inputs, "spec")).to.deep.include({
      default: false,
      credential: { name: "harbor-platform-velero-credentials", key: "cloud" },
    });
    const schedule = run.one("kubernetes:velero.io/v1:Schedule");
    expect(at(schedule.inputs, "metadata.name")).to.equal("harbor-platform");
    expect(at(schedule.inputs, "spec.template.storageLocation")).to.equal("harbor-platform");
    const veleroCrds = readUrns(run, ...OPERATOR_CRDS.velero.map((c) => c.crd));
    expect(bsl.dependencies).to.include.members(veleroCrds);
    const creds = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => meta(s, "name") === "harbor-platform-velero-credentials");
    expect(meta(creds as Registered, "namespace")).to.equal("velero");
    expect((creds as Registered).secretPaths).to.deep.equal(["stringData"]);
  });

  it("writes only what the pinned CRDs and charts accept", () => {
    expect(conformanceProblems(run.resources)).to.deep.equal([]);
  });
});

describe("existing operators: only what is missing is installed", () => {
  it("prod: the cluster's CloudNativePG without a barman-cloud plugin gets the program's plugin in its namespace", async () => {
    const run = await evaluateStack("prod", {
      existingOperators: { cloudnativePg: { namespace: "cnpg-system", barmanCloudPlugin: "install" } },
    });
    expect(charts(run)).to.include.members(["cert-manager", "plugin-barman-cloud", "velero"]);
    expect(charts(run)).to.not.include("cloudnative-pg");
    const plugin = run.byType(RELEASE).find((r) => r.inputs.chart === "plugin-barman-cloud") as Registered;
    expect(plugin.inputs.namespace).to.equal("cnpg-system");
    expect(plugin.dependencies).to.include.members(readUrns(run, "clusters.postgresql.cnpg.io"));
    // Its CRD comes with the program's plugin: not read from the cluster.
    expect(run.reads.map((r) => r.inputs.id)).to.not.include("objectstores.barmancloud.cnpg.io");
  });

  it("prod by default: installs every operator and checks only prometheus-operator's CRDs", async () => {
    const run = await evaluateStack("prod");
    expect(charts(run)).to.include.members([
      "cert-manager",
      "cloudnative-pg",
      "plugin-barman-cloud",
      "velero",
    ]);
    expect(run.reads.map((r) => r.inputs.id)).to.have.members(
      OPERATOR_CRDS.prometheusOperator.map((c) => c.crd),
    );
  });

  it("prod: every ServiceMonitor, PodMonitor and PrometheusRule of the program waits for the reads of its CRDs", async () => {
    const run = await evaluateStack("prod", {
      harborConfig: {
        projects: [{ name: "apps" }],
        robots: [{ name: "ci", project: "apps", access: ["repository:push"], duration: 90 }],
      },
    });
    const monitors = run.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"));
    // The platform's PodMonitors and rules, and the robots' expiry rule.
    expect(monitors.map((m) => at(m.inputs, "metadata.name"))).to.include("harbor-platform-robots");
    expect(monitors.length).to.be.greaterThan(2);
    const reads = readUrns(run, ...OPERATOR_CRDS.prometheusOperator.map((c) => c.crd));
    expect(reads).to.have.length(3);
    for (const m of monitors) expect(m.dependencies, m.name).to.include.members(reads);
  });

  it("dev by default reads nothing from the cluster", async () => {
    expect((await evaluateStack("dev")).reads).to.deep.equal([]);
  });
});

describe("existing operators: dev on a cluster with cert-manager and prometheus-operator", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("dev", {
      existingOperators: { certManager: { clusterIssuer: "letsencrypt" }, prometheusOperator: true },
    });
  });

  it("has the named ClusterIssuer sign Harbor's server certificate, which Harbor waits for", () => {
    const cert = run.one(CERTIFICATE);
    expect(at(cert.inputs, "metadata")).to.deep.include({ name: "harbor-tls", namespace: "harbor" });
    expect(at(cert.inputs, "spec.issuerRef")).to.deep.equal({
      group: "cert-manager.io",
      kind: "ClusterIssuer",
      name: "letsencrypt",
    });
    expect(at(cert.inputs, "spec.dnsNames")).to.deep.equal(["harbor.dev.example.com"]);
    const harbor = run.one(RELEASE, "harbor");
    expect(harbor.dependencies).to.include(cert.urn);
    expect(at(harbor.inputs, "values.expose.tls.secret.secretName")).to.equal("harbor-tls");
    // No certificate of Pulumi's own, and no Secret of that name written by the program.
    expect(run.byType("tls:index/locallySignedCert:LocallySignedCert")).to.deep.equal([]);
    expect(run.byType("kubernetes:core/v1:Secret").map((s) => meta(s, "name"))).to.not.include("harbor-tls");
    expect(run.outputs.serverCertificate?.value).to.equal(undefined);
    // An ACME ClusterIssuer's HTTP-01 solver pods answer the ingress controller in Harbor's namespace.
    const solver = run
      .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .find((p) => JSON.stringify(p.inputs).includes("acme.cert-manager.io/http01-solver"));
    expect(solver, "a rule admitting the ingress controller to the solver").to.not.equal(undefined);
  });

  it("turns on Harbor's ServiceMonitor for the cluster's Prometheus, after checking its CRDs", () => {
    expect(at(run.one(RELEASE, "harbor").inputs, "values.metrics.serviceMonitor.enabled")).to.equal(true);
    // The Release that renders it waits for the reads of prometheus-operator's CRDs.
    expect(run.one(RELEASE, "harbor").dependencies).to.include.members(
      readUrns(run, ...OPERATOR_CRDS.prometheusOperator.map((c) => c.crd)),
    );
    expect(run.reads.map((r) => r.inputs.id)).to.include.members([
      ...OPERATOR_CRDS.prometheusOperator.map((c) => c.crd),
      ...OPERATOR_CRDS.certManager.map((c) => c.crd),
      "letsencrypt",
    ]);
    expect(conformanceProblems(run.resources)).to.deep.equal([]);
  });
});

describe("existing operators: a failed check fails the stack", () => {
  it("prod on a CloudNativePG whose Cluster CRD has no spec.plugins: the one line naming the key", async () => {
    // The cluster answers the read with the pinned CRD minus the field plugin backups need.
    const cluster = structuredClone(clusterCrd("clusters.postgresql.cnpg.io")) as {
      spec: {
        versions: {
          schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } };
        }[];
      };
    };
    delete cluster.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.plugins;
    const failed = await evaluateStack(
      "prod",
      { existingOperators: { cloudnativePg: { namespace: "cnpg-system" } } },
      {
        outputs: {
          [`${CRD}::harbor-platform-preflight-clusters.postgresql.cnpg.io`]: { spec: cluster.spec },
        },
      },
    ).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(failed).to.equal(
      "existingOperators.cloudnativePg: the cluster's clusters.postgresql.cnpg.io has no spec.plugins: its operator is older than this program needs",
    );
  });
});

describe("existing operators: the checks", () => {
  it("accept the pinned CloudNativePG, barman-cloud and Velero CRDs for everything the program writes", () => {
    for (const req of [
      ...OPERATOR_CRDS.cloudnativePg,
      ...OPERATOR_CRDS.barmanCloudPlugin,
      ...OPERATOR_CRDS.velero,
    ])
      expect(crdProblem(clusterCrd(req.crd) as CrdLike, req), req.crd).to.equal(undefined);
  });

  it("refuse a CloudNativePG too old for plugin backups, naming what is missing", () => {
    const crd = structuredClone(clusterCrd("backups.postgresql.cnpg.io")) as {
      spec: {
        versions: {
          schema: {
            openAPIV3Schema: { properties: { spec: { properties: { method: { enum: string[] } } } } };
          };
        }[];
      };
    };
    const method = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.method;
    method.enum = method.enum.filter((m) => m !== "plugin");
    expect(crdProblem(crd as CrdLike, OPERATOR_CRDS.cloudnativePg[1])).to.equal(
      "the cluster's backups.postgresql.cnpg.io does not allow spec.method: plugin: its operator is older than this program needs",
    );
    const cluster = structuredClone(clusterCrd("clusters.postgresql.cnpg.io")) as {
      spec: {
        versions: {
          schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } };
        }[];
      };
    };
    delete cluster.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.plugins;
    expect(crdProblem(cluster as CrdLike, OPERATOR_CRDS.cloudnativePg[0])).to.equal(
      "the cluster's clusters.postgresql.cnpg.io has no spec.plugins: its operator is older than this program needs",
    );
  });

  it("refuse a CRD that does not serve the version the program writes", () => {
    expect(
      crdProblem(
        {
          spec: {
            versions: [
              { name: "v1alpha1", served: true },
              { name: "v1", served: false },
            ],
          },
        },
        OPERATOR_CRDS.velero[1],
      ),
    ).to.equal("the cluster's schedules.velero.io does not serve v1 (it serves v1alpha1)");
  });

  it("want the named ClusterIssuer Ready", () => {
    expect(issuerProblem("corp-ca", { conditions: [{ type: "Ready", status: "True" }] })).to.equal(undefined);
    expect(
      issuerProblem("corp-ca", {
        conditions: [{ type: "Ready", status: "False", message: "secret corp-ca-key not found" }],
      }),
    ).to.equal("ClusterIssuer corp-ca is not Ready: secret corp-ca-key not found");
    expect(issuerProblem("corp-ca", undefined)).to.equal("ClusterIssuer corp-ca is not Ready");
  });

  it("are keyed by the config that assumes them", () => {
    expect(
      existingOperatorChecks({
        cloudnativePg: { namespace: "cnpg-system", installPlugin: true },
        certManager: { namespace: "cert-manager", clusterIssuer: "corp-ca" },
        prometheusOperator: false,
      }),
    ).to.deep.equal({
      crds: {
        "existingOperators.certManager": OPERATOR_CRDS.certManager,
        "existingOperators.cloudnativePg": OPERATOR_CRDS.cloudnativePg,
      },
      clusterIssuer: { name: "corp-ca", key: "existingOperators.certManager.clusterIssuer" },
    });
  });
});
