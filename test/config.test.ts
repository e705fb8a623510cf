import { expect } from "chai";
import { ConfigError, erasureGeometry, parseConfig } from "../config";
import { s3BucketNameProblem } from "../config/schema/define";
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
      "harbor-platform:database.instances = 2: an integer from 3 to 9: a primary and two standbys keep a quorum after a node loss",
    );
    expect(fails({ redis: { replicas: 4 } })).to.equal(
      "harbor-platform:redis.replicas = 4: an odd number from 3 to 9: each pod runs a sentinel and an even count cannot hold a majority after a split",
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
      "harbor-platform:objectStore.nodes = 2: with drivesPerNode 2: erasure sets of 4 (EC:2) lose write quorum when one node fails; use 3 nodes",
    );
  });

  it("suggests the nearest MinIO layout that survives a node loss, and each suggestion is accepted", () => {
    // 3 x 5 makes one set of 15 (EC:4, write quorum 11) with 5 drives per node: a node loss breaks it.
    expect(fails({ objectStore: { nodes: 3, drivesPerNode: 5 } })).to.equal(
      "harbor-platform:objectStore.nodes = 3: with drivesPerNode 5: erasure sets of 15 (EC:4) lose write quorum when one node fails; use drivesPerNode 4 or 4 nodes",
    );
    for (const layout of [
      { nodes: 3, drivesPerNode: 4 },
      { nodes: 4, drivesPerNode: 5 },
      { nodes: 3, drivesPerNode: 2 },
    ]) {
      const store = prod({ objectStore: layout }).prod?.objectStore;
      expect(store && store.mode === "minio" ? [store.nodes, store.drivesPerNode] : store).to.deep.equal([
        layout.nodes,
        layout.drivesPerNode,
      ]);
    }
  });

  it("refuses unknown keys inside sections and malformed values", () => {
    expect(fails({ objectStore: { drivesPerNodes: 4 } })).to.equal(
      "harbor-platform:objectStore.drivesPerNodes = 4: unknown key; did you mean `drivesPerNode`?",
    );
    expect(fails({ objectStore: { disks: 4 } })).to.equal(
      "harbor-platform:objectStore.disks = 4: unknown key; allowed keys of objectStore: mode, nodes, drivesPerNode, driveSize, storageClass, image, buckets, endpoint, region",
    );
    expect(fails({ database: { backupRetention: "30 days" } })).to.equal(
      'harbor-platform:database.backupRetention = "30 days": a positive count of days, weeks or months like 30d, 4w or 3m',
    );
    expect(fails({ database: { backupSchedule: "0 2 * * *" } })).to.equal(
      'harbor-platform:database.backupSchedule = "0 2 * * *": a six-field cron with seconds first, like 0 0 2 * * *',
    );
    expect(fails({ objectStore: { buckets: { registry: "Harbor_Blobs" } } })).to.equal(
      "harbor-platform:objectStore.buckets.registry = \"Harbor_Blobs\": an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', beginning and ending with a letter or digit; it has \"H\"",
    );
  });

  it("refuses API server addresses that are not CIDRs, in either topology", () => {
    expect(fails({ networkPolicy: { apiServerCidrs: ["10.0.0.1"] } })).to.equal(
      'harbor-platform:networkPolicy.apiServerCidrs[0] = "10.0.0.1": a CIDR like 10.0.0.1/32 or fd00::1/128; not an address/prefix',
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
    expect(fails({ objectStore: { mode: "external" }, ...EXTERNAL_SECRETS })).to.equal(
      "harbor-platform:objectStore.endpoint = (unset): required when objectStore.mode is external: an https:// URL",
    );
    expect(fails({ objectStore: { ...EXTERNAL, image: { tag: "x" } }, ...EXTERNAL_SECRETS })).to.match(
      /^harbor-platform:objectStore\.image = \{.*\}: only used when objectStore\.mode is minio$/,
    );
    expect(
      prod({ objectStore: { ...EXTERNAL, endpoint: "https://s3.example.com/" }, ...EXTERNAL_SECRETS }).prod
        ?.objectStore,
    ).to.deep.equal({
      mode: "external",
      endpoint: "https://s3.example.com",
      region: "us-east-1",
      buckets: { registry: "harbor-registry", backups: "harbor-db-backups" },
    });
  });

  it("refuses the external store's fields and secrets with MinIO, never showing a secret", () => {
    expect(fails({ objectStore: { region: "eu-west-1" } })).to.equal(
      'harbor-platform:objectStore.region = "eu-west-1": only used when objectStore.mode is external',
    );
    expect(fails({ objectStoreSecretKey: new StackSecret("needle-secret") })).to.equal(
      "harbor-platform:objectStoreSecretKey = (secret): only used when objectStore.mode is external",
    );
  });

  it("refuses an ACME account with the CA issuer, and one registry and backup bucket", () => {
    expect(fails({ certManager: { issuer: "ca", acme: { email: "ops@example.com" } } })).to.match(
      /^harbor-platform:certManager\.acme = \{"email":"ops@example\.com".*\}: only used when certManager\.issuer is acme$/,
    );
    expect(fails({ objectStore: { buckets: { registry: "blobs", backups: "blobs" } } })).to.equal(
      'harbor-platform:objectStore.buckets.backups = "blobs": a bucket other than the registry\'s',
    );
  });
});

const EXTERNAL = { mode: "external", endpoint: "https://s3.example.com" };
const EXTERNAL_SECRETS = {
  objectStoreAccessKey: new StackSecret("a"),
  objectStoreSecretKey: new StackSecret("b"),
};

// AWS, "General purpose bucket naming rules"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): each rule,
// and the names its examples allow. MinIO refuses '.' next to '-' too: minio-go v7.0.82
// pkg/s3utils/utils.go checkBucketNameCommon, applied to every request by MinIO and to
// MakeBucket by mc (api-put-bucket.go).
describe("S3 bucket names", () => {
  const refused: [string, string][] = [
    ["ab", "it has 2 characters"],
    ["a".repeat(64), "it has 64 characters"],
    ["my_bucket", 'it has "_"'],
    ["My-bucket", 'it has "M"'],
    ["-bucket", 'it begins with "-"'],
    ["bucket.", 'it ends with "."'],
    ["my..bucket", "it has two adjacent periods"],
    ["192.168.5.4", "it is formatted as an IP address"],
    ["xn--bucket", "the prefix xn-- is reserved by S3"],
    ["sthree-bucket", "the prefix sthree- is reserved by S3"],
    ["sthree-configurator", "the prefix sthree- is reserved by S3"],
    ["amzn-s3-demo-bucket", "the prefix amzn-s3-demo- is reserved by S3"],
    ["bucket-s3alias", "the suffix -s3alias is reserved by S3 for access point aliases"],
    ["bucket--ol-s3", "the suffix --ol-s3 is reserved by S3 for Object Lambda access point aliases"],
    ["bucket.mrap", "the suffix .mrap is reserved by S3 for Multi-Region Access Points"],
    ["bucket--x-s3", "the suffix --x-s3 is reserved by S3 for directory buckets"],
    ["bucket--table-s3", "the suffix --table-s3 is reserved by S3 for table buckets"],
  ];
  const accepted = [
    "docexamplebucket1",
    "log-delivery-march-2020",
    "my-hosted-content",
    "my.example.s3.bucket",
    "a1b",
    "a".repeat(63),
  ];

  it("states why S3 refuses a name, and accepts the names its rules allow", () => {
    for (const [name, why] of refused) expect(s3BucketNameProblem(name), name).to.equal(why);
    for (const name of accepted) expect(s3BucketNameProblem(name), name).to.equal(undefined);
  });

  it("refuses each in objectStore.buckets, in both modes, in one line naming the field", () => {
    const allowed =
      "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', beginning and ending with a letter or digit";
    for (const [name, why] of refused) {
      expect(fails({ objectStore: { buckets: { registry: name } } })).to.equal(
        `harbor-platform:objectStore.buckets.registry = ${JSON.stringify(name)}: ${allowed}; ${why}`,
      );
      expect(
        fails({ objectStore: { ...EXTERNAL, buckets: { backups: name } }, ...EXTERNAL_SECRETS }),
      ).to.equal(`harbor-platform:objectStore.buckets.backups = ${JSON.stringify(name)}: ${allowed}; ${why}`);
    }
    expect(
      prod({ objectStore: { buckets: { registry: "my.example.s3.bucket" } } }).prod?.objectStore.buckets,
    ).to.deep.equal({
      registry: "my.example.s3.bucket",
      backups: "harbor-db-backups",
    });
  });

  it("refuses '.' next to '-' for MinIO, which refuses it, not for an external S3", () => {
    expect(fails({ objectStore: { buckets: { backups: "db.-backups" } } })).to.equal(
      "harbor-platform:objectStore.buckets.backups = \"db.-backups\": a bucket name MinIO accepts: no '.' next to '-'",
    );
    const external = prod({
      objectStore: { ...EXTERNAL, buckets: { backups: "db-.backups" } },
      ...EXTERNAL_SECRETS,
    });
    expect(external.prod?.objectStore.buckets.backups).to.equal("db-.backups");
  });
});

describe("namespaces the program creates", () => {
  it("refuses an ingress or monitoring namespace the program creates, saying what its policies would do", () => {
    expect(fails({ networkPolicy: { ...NET, ingressNamespace: "harbor" } })).to.equal(
      'harbor-platform:networkPolicy.ingressNamespace = "harbor": the namespace the ingress controller\'s pods run in, not one the program creates: it creates harbor for Harbor, and its deny-by-default NetworkPolicies would cut it off from its clients and Harbor',
    );
    expect(fails({ networkPolicy: { ...NET, monitoringNamespace: "cnpg-system" } })).to.equal(
      'harbor-platform:networkPolicy.monitoringNamespace = "cnpg-system": the namespace Prometheus runs in, not one the program creates: it creates cnpg-system for the CloudNativePG operator, and its deny-by-default NetworkPolicies would cut it off from its scrape targets',
    );
    for (const ns of [
      "cert-manager",
      "harbor-db",
      "harbor-redis",
      "minio",
      "velero",
      "harbor-dr-drill",
      "logging",
    ])
      expect(fails({ networkPolicy: { ...NET, ingressNamespace: ns } }), ns).to.match(
        new RegExp(`^harbor-platform:networkPolicy\\.ingressNamespace = "${ns}": .* it creates ${ns} for `),
      );
    // Dev creates only Harbor's namespace (and Fluent Bit's when it ships logs).
    expect(() =>
      parseConfig(stackConfig("dev", { networkPolicy: { monitoringNamespace: "harbor" } })),
    ).to.throw(
      'harbor-platform:networkPolicy.monitoringNamespace = "harbor": the namespace Prometheus runs in',
    );
    expect(
      parseConfig(stackConfig("dev", { networkPolicy: { ingressNamespace: "minio" } })).networkPolicy,
    ).to.include({
      ingressNamespace: "minio",
    });
  });

  it("accepts a namespace the program does not create in this mode, or one it never creates", () => {
    const external = { objectStore: EXTERNAL, ...EXTERNAL_SECRETS };
    expect(
      prod({ ...external, networkPolicy: { ...NET, ingressNamespace: "minio" } }).networkPolicy,
    ).to.include({
      ingressNamespace: "minio",
    });
    // k3s runs Traefik in kube-system (docs/prerequisites.md).
    expect(
      prod({ networkPolicy: { ...NET, ingressNamespace: "kube-system" } }).networkPolicy.ingressNamespace,
    ).to.equal("kube-system");
  });

  it("refuses Harbor's or Fluent Bit's namespace where the program installs something else", () => {
    expect(fails({ namespace: "velero" })).to.equal(
      'harbor-platform:namespace = "velero": a namespace of Harbor\'s own: the program creates velero for Velero, with its own quota and deny-by-default NetworkPolicies',
    );
    const logging = stackConfig("prod").logging as Record<string, unknown>;
    expect(fails({ logging: { ...logging, namespace: "harbor" } })).to.equal(
      'harbor-platform:logging.namespace = "harbor": a namespace of Fluent Bit\'s own: the program creates harbor for Harbor, with its own quota and deny-by-default NetworkPolicies',
    );
    expect(prod({ objectStore: EXTERNAL, ...EXTERNAL_SECRETS, namespace: "minio" }).namespace).to.equal(
      "minio",
    );
  });
});

describe("API server addresses", () => {
  it("accepts IPv6 and IPv4 networks, and refuses a /0 of either family in prod only", () => {
    const cidrs = ["10.0.0.10/32", "2001:db8::10/128", "fd00:10::/64"];
    expect(
      prod({ networkPolicy: { ...NET, apiServerCidrs: cidrs } }).networkPolicy.apiServerCidrs,
    ).to.deep.equal(cidrs);
    expect(fails({ networkPolicy: { ...NET, apiServerCidrs: ["fd00::1/128", "::/0"] } })).to.match(
      /^harbor-platform:networkPolicy\.apiServerCidrs\[1\] = "::\/0": in prod the API server's endpoint addresses .*, not every address$/,
    );
    expect(
      parseConfig(stackConfig("dev", { networkPolicy: { apiServerCidrs: ["::/0"] } })).networkPolicy
        .apiServerCidrs,
    ).to.deep.equal(["::/0"]);
    expect(parseConfig(stackConfig("dev")).networkPolicy.apiServerCidrs).to.deep.equal(["0.0.0.0/0"]);
  });

  it("refuses an address with host bits, an empty list, and a value that is not a list", () => {
    expect(fails({ networkPolicy: { ...NET, apiServerCidrs: ["fd00::1/64"] } })).to.equal(
      'harbor-platform:networkPolicy.apiServerCidrs[0] = "fd00::1/64": a CIDR like 10.0.0.1/32 or fd00::1/128; address bits beyond the prefix are set; the network is fd00::/64',
    );
    expect(fails({ networkPolicy: { ...NET, apiServerCidrs: [] } })).to.equal(
      "harbor-platform:networkPolicy.apiServerCidrs = []: a list of at least 1",
    );
    expect(fails({ networkPolicy: { ...NET, apiServerCidrs: "10.0.0.1/32" } })).to.equal(
      'harbor-platform:networkPolicy.apiServerCidrs = "10.0.0.1/32": a list',
    );
  });
});

const NET = stackConfig("prod").networkPolicy as Record<string, unknown>;

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
