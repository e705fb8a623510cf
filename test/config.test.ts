import { expect } from "chai";
import { ConfigError, erasureGeometry, parseConfig } from "../config";
import { images } from "../versions";
import { StackSecret, stackConfig } from "./harness";

const prod = (overrides: Record<string, unknown> = {}) => parseConfig(stackConfig("prod", overrides));
const fails = (overrides: Record<string, unknown>) => {
  try {
    prod(overrides);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("prod config", () => {
  it("parses Pulumi.prod.yaml with the documented defaults", () => {
    const cfg = prod();
    expect(cfg.storage.nasClass).to.equal(undefined);
    expect(cfg.prod?.database).to.deep.include({
      instances: 3,
      storageClass: "local-nvme",
      backupRetention: "30d",
    });
    expect(cfg.prod?.redis.replicas).to.equal(3);
    expect(cfg.prod?.objectStore).to.deep.include({ mode: "minio", nodes: 4, drivesPerNode: 2 });
    expect(cfg.prod?.certManager).to.deep.equal({ issuer: "ca" });
    expect(cfg.prod?.objectStore).to.deep.include({ image: images.minio });
  });

  it("lets the MinIO image be replaced (the community edition gets no more releases)", () => {
    const image = { repository: "registry.example.com/minio", tag: "RELEASE.2026-01-01T00-00-00Z-patched" };
    expect(prod({ objectStore: { image } }).prod?.objectStore).to.deep.include({ image });
  });

  it("refuses the dev-only NAS class and prod-only keys in dev", () => {
    expect(fails({ nasStorageClass: "nfs-client" })).to.equal(
      'harbor-platform:nasStorageClass = "nfs-client": only used by topology dev; remove it from the prod stack',
    );
    expect(() => parseConfig(stackConfig("dev", { redis: { replicas: 3 } }))).to.throw(
      'harbor-platform:redis = {"replicas":3}: only used by topology prod; remove it from the dev stack',
    );
  });

  it("requires the settings prod cannot guess", () => {
    expect(fails({ localStorageClass: undefined })).to.equal(
      "harbor-platform:localStorageClass = (unset): required for topology prod: the name of a StorageClass in the cluster",
    );
    // Pulumi.yaml declares hostname without a default: the CLI stops first (pulumi-cli.ts).
    expect(() => prod({ hostname: undefined })).to.throw(
      "Stack 'prod' is missing configuration value 'hostname'",
    );
    const noHostname = stackConfig("prod");
    delete noHostname.hostname;
    expect(() => parseConfig(noHostname)).to.throw(
      "harbor-platform:hostname = (unset): a lower-case DNS name with at least two labels, like registry.example.com",
    );
  });

  it("refuses replica counts that break quorum", () => {
    expect(fails({ database: { instances: 2 } })).to.equal(
      "harbor-platform:database.instances = 2: at least 3 in prod: a primary and two replicas keep a quorum after a node loss",
    );
    expect(fails({ redis: { replicas: 4 } })).to.equal(
      "harbor-platform:redis.replicas = 4: an odd number >= 3: each pod runs a sentinel and an even count cannot hold a majority after a split",
    );
  });

  it("refuses MinIO sizing that cannot form an erasure set or survive a node loss", () => {
    expect(fails({ objectStore: { nodes: 3, drivesPerNode: 1 } })).to.equal(
      "harbor-platform:objectStore.nodes = 3: with drivesPerNode 1: 3 drives in all; distributed MinIO needs at least 4",
    );
    expect(fails({ objectStore: { nodes: 17, drivesPerNode: 1 } })).to.equal(
      "harbor-platform:objectStore.nodes = 17: with drivesPerNode 1: 17 x 1 drives cannot be split into erasure sets of 2 to 16 drives spread evenly over the nodes",
    );
    expect(fails({ objectStore: { nodes: 2, drivesPerNode: 2 } })).to.equal(
      "harbor-platform:objectStore.nodes = 2: with drivesPerNode 2: erasure sets of 4 (EC:2) lose write quorum when one node fails; use at least 4 nodes",
    );
  });

  it("refuses unknown keys inside sections and malformed values", () => {
    expect(fails({ objectStore: { node: 4 } })).to.equal(
      "harbor-platform:objectStore.node = 4: unknown key; allowed keys of objectStore: mode, nodes, drivesPerNode, driveSize, storageClass, image, buckets, endpoint, region",
    );
    expect(fails({ database: { backupRetention: "30 days" } })).to.equal(
      'harbor-platform:database.backupRetention = "30 days": a positive count of days, weeks or months like 30d, 4w or 3m',
    );
    expect(fails({ database: { backupSchedule: "0 2 * * *" } })).to.equal(
      'harbor-platform:database.backupSchedule = "0 2 * * *": a six-field cron with seconds first, like 0 0 2 * * *',
    );
    expect(fails({ objectStore: { buckets: { registry: "Harbor_Blobs" } } })).to.equal(
      "harbor-platform:objectStore.buckets.registry = \"Harbor_Blobs\": an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'",
    );
  });

  it("refuses API server addresses that are not CIDRs, in either topology", () => {
    expect(fails({ networkPolicy: { apiServerCidrs: ["10.0.0.1"] } })).to.equal(
      'harbor-platform:networkPolicy.apiServerCidrs[0] = "10.0.0.1": a CIDR like 10.0.0.1/32',
    );
    expect(() =>
      parseConfig(stackConfig("dev", { networkPolicy: { ingressNamespace: "Ingress" } })),
    ).to.throw('harbor-platform:networkPolicy.ingressNamespace = "Ingress": a Kubernetes name');
  });

  it("needs an e-mail for the ACME issuer", () => {
    expect(fails({ certManager: { issuer: "acme" } })).to.equal(
      "harbor-platform:certManager.acme = (unset): required when certManager.issuer is acme: {email}",
    );
    expect(
      prod({ certManager: { issuer: "acme", acme: { email: "ops@example.com" } } }).prod?.certManager.acme,
    ).to.deep.equal({
      email: "ops@example.com",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      solverIngressClass: "traefik",
    });
  });

  it("needs an https endpoint and secret credentials for an external object store", () => {
    expect(fails({ objectStore: { mode: "external", endpoint: "https://s3.example.com" } })).to.equal(
      "harbor-platform:objectStoreAccessKey = (unset): required when objectStore.mode is external: pulumi config set --secret objectStoreAccessKey <value>",
    );
    expect(
      fails({
        objectStore: { mode: "external", endpoint: "http://s3.example.com" },
        objectStoreAccessKey: new StackSecret("a"),
        objectStoreSecretKey: new StackSecret("b"),
      }),
    ).to.equal('harbor-platform:objectStore.endpoint = "http://s3.example.com": an https:// URL');
    expect(fails({ objectStore: { mode: "external", nodes: 4 } })).to.equal(
      "harbor-platform:objectStore.nodes = 4: only used when objectStore.mode is minio",
    );
  });
});

describe("erasureGeometry", () => {
  it("matches MinIO's default parity: 4 x 2 drives form one set of 8 at EC:4", () => {
    expect(erasureGeometry(4, 2)).to.deep.equal({
      totalDrives: 8,
      setSize: 8,
      parity: 4,
      writeQuorum: 5,
      drivesPerNodeInSet: 2,
      nodeLossTolerance: 1,
    });
    expect(erasureGeometry(16, 1)).to.deep.include({ setSize: 16, parity: 4, nodeLossTolerance: 4 });
  });
});
