import { expect } from "chai";
import { faultTolerance, faultToleranceTable } from "../components/platform/fault-tolerance";
import { createdNamespaces, parseConfig } from "../config";
import { at, evaluateStack, stackConfig, StackSecret, type Registered, type StackRun } from "./harness";
import { expectDefaultDeny, flowPolicies, flowPolicy } from "./reachability/network-policy";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CR = (group: string, kind: string) => `kubernetes:${group}:${kind}`;

function release(run: StackRun, name: string): Registered {
  const found = run.byType(RELEASE).filter((r) => r.inputs.name === name);
  expect(found, `release ${name}`).to.have.length(1);
  return found[0];
}

/** Whether `path` reaches the engine as a secret (the SDK may mark a whole enclosing object). */
function isSecret(r: Registered | undefined, path: string): boolean {
  return (r?.secretPaths ?? []).some((p) => path === p || path.startsWith(`${p}.`));
}

function dependsOn(_run: StackRun, r: Registered, other: Registered): boolean {
  return r.dependencies.includes(other.urn);
}

describe("prod stack", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  it("installs every pinned chart into its own literal namespace", () => {
    const releases = Object.fromEntries(
      run
        .byType(RELEASE)
        .map((r) => [r.inputs.name, `${r.inputs.chart}@${r.inputs.version} in ${r.inputs.namespace}`]),
    );
    expect(releases).to.deep.equal({
      "cert-manager": "cert-manager@v1.21.1 in cert-manager",
      cnpg: "cloudnative-pg@0.29.0 in cnpg-system",
      "barman-cloud": "plugin-barman-cloud@0.7.0 in cnpg-system",
      "redis-ha": "redis-ha@4.39.0 in harbor-redis",
      minio: "minio@5.4.0 in minio",
      "fluent-bit": "fluent-bit@0.58.1 in logging",
      velero: "velero@12.1.0 in velero",
      harbor: "harbor@1.19.2 in harbor",
    });
    expect(at(release(run, "cert-manager").inputs, "values.crds.enabled")).to.equal(true);
  });

  it("seeds a CA ClusterIssuer from the project root CA, the key kept secret", () => {
    const issuer = run.one(CR("cert-manager.io/v1", "ClusterIssuer"));
    const secretName = at(issuer.inputs, "spec.ca.secretName");
    const secret = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === secretName);
    expect(at(secret?.inputs, "metadata.namespace")).to.equal("cert-manager");
    expect(isSecret(secret, "stringData.tls.key")).to.equal(true);
    expect(dependsOn(run, issuer, release(run, "cert-manager"))).to.equal(true);
  });

  it("issues Harbor's ingress, internal TLS, MinIO and database certificates through cert-manager", () => {
    const certs = run
      .byType(CR("cert-manager.io/v1", "Certificate"))
      .map((c) => at(c.inputs, "spec.secretName"));
    expect(certs).to.include.members([
      "harbor-ingress-tls",
      "harbor-core-internal-tls",
      "harbor-jobservice-internal-tls",
      "harbor-registry-internal-tls",
      "harbor-portal-internal-tls",
      "harbor-trivy-internal-tls",
      "minio-tls",
      "harbor-pg-server-tls",
    ]);
    const values = release(run, "harbor").inputs.values;
    expect(at(values, "internalTLS.certSource")).to.equal("secret");
    expect(at(values, "expose.tls.secret.secretName")).to.equal("harbor-ingress-tls");
  });

  it("runs a 3-instance CloudNativePG cluster on distinct nodes with plugin WAL archiving, protected", () => {
    const cluster = run.one(CR("postgresql.cnpg.io/v1", "Cluster"));
    const spec = cluster.inputs.spec;
    expect(at(spec, "instances")).to.equal(3);
    expect(at(spec, "affinity.podAntiAffinityType")).to.equal("required");
    expect(at(spec, "storage.storageClass")).to.equal("local-nvme");
    expect(at(spec, "bootstrap.initdb.secret.name")).to.equal("harbor-pg-owner");
    expect(at(spec, "plugins")).to.deep.equal([
      {
        name: "barman-cloud.cloudnative-pg.io",
        isWALArchiver: true,
        parameters: { barmanObjectName: "harbor-pg-backups" },
      },
    ]);
    expect(at(cluster.inputs, "metadata.annotations")).to.deep.include({
      "pulumi.com/waitFor": "condition=Ready",
    });
    expect(cluster.protect).to.equal(true);
    expect(dependsOn(run, cluster, release(run, "cnpg"))).to.equal(true);
    const store = run.one(CR("barmancloud.cnpg.io/v1", "ObjectStore"));
    expect(at(store.inputs, "spec.configuration.destinationPath")).to.equal("s3://harbor-db-backups/");
    expect(at(store.inputs, "spec.retentionPolicy")).to.equal("30d");
    const backup = run.one(CR("postgresql.cnpg.io/v1", "ScheduledBackup"));
    expect(at(backup.inputs, "spec.method")).to.equal("plugin");
    expect(String(at(backup.inputs, "spec.schedule")).split(" ")).to.have.length(6);
  });

  it("protects what holds data: the database, MinIO and the key Harbor encrypts its data with", () => {
    const credentials = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "harbor-credentials");
    expect(credentials?.protect).to.equal(true);
    expect(release(run, "minio").protect).to.equal(true);
    expect(run.one(CR("postgresql.cnpg.io/v1", "Cluster")).protect).to.equal(true);
    // Caches and stateless releases stay replaceable.
    expect(release(run, "redis-ha").protect).to.equal(false);
  });

  it("keeps the database owner password generated and secret", () => {
    const owner = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "harbor-pg-owner");
    expect(isSecret(owner, "stringData.password")).to.equal(true);
    const client = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "harbor-database");
    expect(at(client?.inputs, "metadata.namespace")).to.equal("harbor");
    expect(at(client?.inputs, "stringData.password")).to.equal(at(owner?.inputs, "stringData.password"));
  });

  it("connects Harbor to the database with verify-full and the CA that signed its server", () => {
    const values = release(run, "harbor").inputs.values;
    expect(at(values, "database.external")).to.deep.include({
      host: "harbor-pg-rw.harbor-db.svc",
      sslmode: "verify-full",
      existingSecret: "harbor-database",
    });
    const bundle = run
      .byType("kubernetes:core/v1:Secret")
      .find(
        (s) =>
          at(s.inputs, "metadata.name") === at(values, "caBundleSecretName") &&
          at(s.inputs, "metadata.namespace") === "harbor",
      );
    expect((at(bundle?.inputs, "stringData") as Record<string, unknown>)["ca.crt"]).to.equal(
      run.outputs.caCert.value,
    );
    const dbCert = run
      .byType(CR("cert-manager.io/v1", "Certificate"))
      .find((c) => at(c.inputs, "spec.secretName") === "harbor-pg-server-tls");
    expect(at(dbCert?.inputs, "spec.dnsNames")).to.include("harbor-pg-rw.harbor-db.svc");
    expect(at(dbCert?.inputs, "spec.issuerRef.name")).to.equal("harbor-platform-ca");
  });

  it("installs Harbor once Redis, MinIO and its database Secret are there, beside the database Cluster", () => {
    const harbor = release(run, "harbor");
    // Harbor's pods wait for the database themselves; Helm's wait covers Harbor's readiness.
    expect(dependsOn(run, harbor, run.one(CR("postgresql.cnpg.io/v1", "Cluster")))).to.equal(false);
    const dbSecret = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "harbor-database") as Registered;
    expect(dependsOn(run, harbor, dbSecret)).to.equal(true);
    expect(dependsOn(run, harbor, release(run, "redis-ha"))).to.equal(true);
    expect(dependsOn(run, harbor, release(run, "minio"))).to.equal(true);
  });

  it("uses Redis Sentinel without a sentinel password and with a data-node password by existingSecret", () => {
    const v = release(run, "redis-ha").inputs.values;
    expect(at(v, "replicas")).to.equal(3);
    expect(at(v, "sentinel.auth")).to.equal(false);
    expect(at(v, "auth")).to.equal(true);
    expect(at(v, "hardAntiAffinity")).to.equal(true);
    expect(at(v, "redisPassword")).to.equal(undefined);
    const h = release(run, "harbor").inputs.values;
    expect(at(h, "redis.external.addr")).to.equal(
      "redis-ha-announce-0.harbor-redis.svc:26379,redis-ha-announce-1.harbor-redis.svc:26379,redis-ha-announce-2.harbor-redis.svc:26379",
    );
    expect(at(h, "redis.external.sentinelMasterSet")).to.equal(at(v, "redis.masterGroupName"));
    expect(at(h, "redis.external.tlsOptions")).to.equal(undefined);
  });

  it("runs MinIO distributed with TLS, generated root credentials and least-privilege users by existingSecret", () => {
    const minio = release(run, "minio");
    const v = minio.inputs.values;
    expect(at(v, "mode")).to.equal("distributed");
    expect([at(v, "replicas"), at(v, "drivesPerNode")]).to.deep.equal([4, 2]);
    expect(at(v, "tls.enabled")).to.equal(true);
    expect(at(v, "rootPassword")).to.equal(undefined);
    expect(at(v, "existingSecret")).to.equal("minio-root");
    const users = at(v, "users") as {
      accessKey: string;
      policy: string;
      existingSecret: string;
      secretKey?: string;
    }[];
    expect(users.map((u) => u.policy)).to.deep.equal([
      "harbor-registry",
      "db-backups",
      "dr-mirror",
      "dr-drill",
    ]);
    for (const u of users) expect(u.secretKey).to.equal(undefined);
    const buckets = at(v, "buckets") as { name: string; versioning: boolean }[];
    expect(buckets.every((b) => b.versioning)).to.equal(true);
    // ...and their noncurrent versions expire, so deletes free the disks (the import's form is
    // run by test/charts/minio-lifecycle.test.ts).
    expect(
      (at(v, "customCommands") as { command: string }[]).map((c) => c.command.split("\n")[0]),
    ).to.deep.equal(buckets.map((b) => `ilm import myminio/${b.name} <<'LIFECYCLE'`));
    expect(minio.protect).to.equal(true);
    const root = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "minio-root");
    expect(isSecret(root, "stringData.rootPassword")).to.equal(true);
  });

  it("stores Harbor's images in MinIO over https without redirects", () => {
    const storage = at(release(run, "harbor").inputs.values, "persistence.imageChartStorage") as Record<
      string,
      unknown
    >;
    expect(storage.type).to.equal("s3");
    expect(storage.disableredirect).to.equal(true);
    expect(at(storage, "s3.regionendpoint")).to.equal("https://minio.minio.svc:9000");
    expect(at(storage, "s3.existingSecret")).to.equal("harbor-s3");
  });

  it("runs 3 replicas of every Harbor component with PDBs and jobservice logging to the database", () => {
    const v = release(run, "harbor").inputs.values;
    for (const c of ["core", "jobservice", "registry", "portal", "trivy", "exporter"]) {
      expect(at(v, `${c}.replicas`), c).to.equal(3);
      expect(at(v, `${c}.podDisruptionBudget.enabled`), c).to.equal(true);
    }
    expect(at(v, "jobservice.jobLoggers")).to.deep.equal(["database"]);
    expect(at(v, "cache.enabled")).to.equal(true);
  });

  it("lets the Traefik ingress verify Harbor's internal-TLS backends against the project CA", () => {
    const transports = run.byType("kubernetes:traefik.io/v1alpha1:ServersTransport");
    expect(transports.map((t) => [at(t.inputs, "metadata.name"), at(t.inputs, "spec")])).to.deep.equal([
      ["harbor-core-backend", { serverName: "harbor-core", rootCAsSecrets: ["harbor-platform-ca"] }],
      ["harbor-portal-backend", { serverName: "harbor-portal", rootCAsSecrets: ["harbor-platform-ca"] }],
    ]);
    const v = run.one(RELEASE, "harbor").inputs.values;
    expect(at(v, "internalTLS.enabled")).to.equal(true);
    for (const c of ["core", "portal"]) {
      expect(at(v, `${c}.serviceAnnotations`), c).to.deep.equal({
        "traefik.ingress.kubernetes.io/service.serverstransport": `harbor-harbor-${c}-backend@kubernetescrd`,
      });
    }
  });

  it("denies traffic by default in every namespace it creates, then allows DNS", () => {
    const namespaces = run.byType("kubernetes:core/v1:Namespace").map((n) => at(n.inputs, "metadata.name"));
    expect(namespaces).to.have.members([
      "harbor",
      "cert-manager",
      "cnpg-system",
      "harbor-db",
      "harbor-redis",
      "minio",
      "logging",
      "velero",
      "harbor-dr-drill",
    ]);
    for (const ns of namespaces) {
      expectDefaultDeny(run, String(ns));
      expect([...flowPolicies(run, String(ns)).keys()], String(ns)).to.include("dns");
    }
    // The list config refuses other uses of (networkPolicy, namespace, logging.namespace).
    expect(namespaces).to.have.members(
      createdNamespaces(parseConfig(stackConfig("prod"))).map((n) => n.name),
    );
  });

  it("lets only Harbor's pods reach Redis", () => {
    expect(flowPolicy(run, "harbor-redis", "from-harbor").spec.ingress).to.deep.equal([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "harbor" } },
            podSelector: { matchLabels: { app: "harbor" } },
          },
        ],
        ports: [
          { protocol: "TCP", port: 6379 },
          { protocol: "TCP", port: 26379 },
        ],
      },
    ]);
  });

  it("survives the loss of any one node in every stateful or serving component", () => {
    const rows = faultTolerance(run.resources);
    expect(rows.map((r) => r.component)).to.include.members([
      "Harbor core",
      "PostgreSQL (CloudNativePG)",
      "Redis + Sentinel",
      "MinIO (erasure coded)",
    ]);
    for (const r of rows) expect(r.nodeLosses, `${r.component}: ${r.basis}`).to.be.at.least(1);
    expect(faultToleranceTable(rows)).to.include("| MinIO (erasure coded) | 4 | 1 | yes |");
  });

  it("exposes the namespaces, endpoints and secret names DR and monitoring plug into", () => {
    expect(run.outputs.prod.value).to.deep.include({
      objectStoreUrl: "https://minio.minio.svc:9000",
      buckets: { registry: "harbor-registry", backups: "harbor-db-backups" },
      mirrorCredentialsSecret: "minio-user-mirror",
    });
  });
});

const EXTERNAL_STORE = {
  objectStore: { mode: "external", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
  objectStoreAccessKey: new StackSecret("AKIAEXAMPLE"),
  objectStoreSecretKey: new StackSecret("example-secret"),
};

describe("prod stack with an external object store", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod", EXTERNAL_STORE);
  });

  it("deploys no MinIO and points Harbor and the backups at the endpoint, keys secret", () => {
    expect(run.byType(RELEASE).map((r) => r.inputs.name)).to.not.include("minio");
    expect(
      at(release(run, "harbor").inputs.values, "persistence.imageChartStorage.s3.regionendpoint"),
    ).to.equal("https://s3.eu-west-1.amazonaws.com");
    const store = run.one(CR("barmancloud.cnpg.io/v1", "ObjectStore"));
    expect(at(store.inputs, "spec.configuration.endpointCA")).to.equal(undefined);
    const s3 = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => at(s.inputs, "metadata.name") === "harbor-s3");
    expect(isSecret(s3, "stringData.REGISTRY_STORAGE_S3_SECRETKEY")).to.equal(true);
  });

  it("creates exactly the namespaces config says it creates in this mode (no MinIO, no drill)", () => {
    const namespaces = run.byType("kubernetes:core/v1:Namespace").map((n) => at(n.inputs, "metadata.name"));
    expect(namespaces).to.not.include("minio");
    expect(namespaces).to.have.members(
      createdNamespaces(parseConfig(stackConfig("prod", EXTERNAL_STORE))).map((n) => n.name),
    );
  });
});

// Kubernetes' limits on what the program names from config (kubernetes pkg/apis/*/validation):
// a namespace or Service name is a DNS label (63); a Job's name is also its pods' job-name label
// (63); a CronJob's leaves 11 characters for its Jobs' suffix (52); a StatefulSet's pods carry
// its name with a revision hash in a label (52); other names are DNS subdomains (253); label
// values 63. Helm release names 53 (helm v3 pkg/chartutil validateReleaseName); a certificate's
// DNS names 253 with labels of 63, its common name 64 (RFC 5280 ub-common-name).
describe("prod stack with every configured name at its longest", () => {
  const LONG_NS = `harbor-${"n".repeat(56)}`;
  const LONG_LOG_NS = `logs-${"l".repeat(58)}`;
  let run: StackRun;
  before(async () => {
    const logging = stackConfig("prod").logging as Record<string, unknown>;
    run = await evaluateStack("prod", {
      namespace: LONG_NS,
      logging: { ...logging, namespace: LONG_LOG_NS },
      objectStore: {
        buckets: { registry: `r${"e".repeat(61)}g`, backups: `b${"a".repeat(61)}k` },
      },
      database: { instances: 9 },
      redis: { replicas: 9 },
    });
  });

  it("derives no Kubernetes name, label value, release name or certificate name beyond its limit", () => {
    const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const problems: string[] = [];
    const check = (what: string, value: unknown, max: number, form?: RegExp) => {
      if (typeof value !== "string") return;
      if (value.length > max || (form && !value.split(".").every((l) => form.test(l))))
        problems.push(`${what}: ${value} (${value.length})`);
    };
    for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      const kind = r.type.split(":").pop() ?? "";
      const name = at(r.inputs, "metadata.name");
      const limits: Record<string, number> = {
        Namespace: 63,
        Service: 63,
        Job: 63,
        CronJob: 52,
        StatefulSet: 52,
      };
      if (kind !== "Release") check(`${kind} name`, name, limits[kind] ?? 253, LABEL);
      check(`${kind} namespace`, at(r.inputs, "metadata.namespace"), 63, LABEL);
      for (const v of Object.values((at(r.inputs, "metadata.labels") ?? {}) as Record<string, unknown>))
        check(`${kind} label`, v, 63);
      if (kind === "Release") check("release name", r.inputs.name, 53, LABEL);
      if (kind === "Certificate") {
        check("certificate commonName", at(r.inputs, "spec.commonName"), 64);
        for (const d of (at(r.inputs, "spec.dnsNames") ?? []) as string[])
          check("certificate DNS name", d.replace(/^\*\./, ""), 253, LABEL);
      }
    }
    expect(problems).to.deep.equal([]);
    // The long values were used.
    const namespaces = run.byType("kubernetes:core/v1:Namespace").map((n) => at(n.inputs, "metadata.name"));
    expect(namespaces).to.include.members([LONG_NS, LONG_LOG_NS]);
  });
});
