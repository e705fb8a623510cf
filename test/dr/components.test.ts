import { expect } from "chai";
import { PROD_DR } from "./fixtures";
import * as aws from "@pulumi/aws";
import { type DrConfig } from "../../config/dr";
import { DrBucket } from "../../components/dr";
import {
  DR_PREFIXES,
  drBucketPolicy,
  prefixUserPolicy,
  restoreUserPolicy,
  type PolicyDocument,
} from "../../components/dr/policies";
import { DrMirror, mirrorSettings } from "../../components/dr/mirror";
import { applyRestore, BARMAN_PLUGIN } from "../../components/dr/restore";
import { Velero, veleroValues } from "../../components/backup";
import { charts, images } from "../../versions";
import { ROOT_CREDENTIALS } from "../../components/object-store";
import { PUBLIC_SOURCES } from "../../components/mirror";
import { at, runUnderMocks, type Registered, type StackRun } from "../harness";
import { chartVersion, crdErrors, unknownValuePaths, valuesSchemaErrors } from "./upstream";
import { parseDr } from "../config/sections";

const RAW = PROD_DR;
const RESTORE = {
  enabled: true,
  source: { bucket: "acme-harbor-dr", region: "eu-central-1", serverName: "harbor-db" },
  targetTime: "2026-03-01T10:30:00Z",
};
// What the data tier hands over (MinIO distributed with TLS, CNPG with the barman-cloud plugin).
const MIRROR_BUCKETS = { registry: "harbor-registry", backups: "harbor-db-backups" };
const DATA_BUCKETS = [MIRROR_BUCKETS.registry, MIRROR_BUCKETS.backups];
const MINIO = {
  endpoint: "https://minio.minio.svc.cluster.local:9000",
  credentials: { secretName: "minio-root", accessKeyIdKey: "rootUser", secretAccessKeyKey: "rootPassword" },
  caSecretName: "minio-tls",
  caKey: "ca.crt",
};

async function build(dr: DrConfig): Promise<StackRun> {
  return runUnderMocks("prod", () => {
    const provider = new aws.Provider("aws-primary", { region: dr.bucket.region });
    const replicaProvider = new aws.Provider("aws-replica", { region: dr.bucket.replicaRegion ?? "" });
    const bucket = new DrBucket("dr", {
      bucketName: dr.bucket.bucketName,
      region: dr.bucket.region,
      noncurrentVersionDays: dr.bucket.noncurrentVersionDays,
      abortIncompleteUploadDays: dr.bucket.abortIncompleteUploadDays,
      objectLock: dr.bucket.objectLock,
      provider,
      replica: {
        bucketName: dr.bucket.replicaBucketName ?? "",
        region: dr.bucket.replicaRegion ?? "",
        provider: replicaProvider,
      },
      protect: true,
    });
    const target = { bucket: dr.bucket.bucketName, region: dr.bucket.region, kmsKeyArn: bucket.kmsKeyArn };
    new DrMirror("dr-mirror", {
      ...target,
      ...bucket.mirrorCredentials,
      namespace: "minio",
      minio: MINIO,
      buckets: MIRROR_BUCKETS,
      ...mirrorSettings(dr, ROOT_CREDENTIALS),
      restoreReader: bucket.restoreCredentials,
      sources: PUBLIC_SOURCES,
    });
    new Velero("velero", {
      ...target,
      ...bucket.veleroCredentials,
      namespace: "velero",
      quota: { storage: "1Gi", persistentVolumeClaims: 1 },
      schedule: dr.backup.schedule,
      ttl: dr.backup.ttl,
      includedNamespaces: ["harbor", "harbor-db"],
      sources: PUBLIC_SOURCES,
    });
  });
}

const S3 = "aws:s3/";
const forBucket = (run: StackRun, type: string, bucket: Registered) =>
  run
    .byType(`${S3}${type}`)
    .filter((r) => r.inputs.bucket === bucket.inputs.bucket || r.inputs.bucket === `${bucket.name}-id`);

function allows(doc: PolicyDocument): { actions: string[]; resources: string[]; condition?: unknown }[] {
  return doc.Statement.filter((s) => s.Effect === "Allow").map((s) => ({
    actions: ([] as string[]).concat(s.Action),
    resources: ([] as string[]).concat(s.Resource ?? []),
    condition: s.Condition,
  }));
}

describe("DR to AWS (prod)", () => {
  let run: StackRun;
  const dr = parseDr(RAW, "prod", "eu-central-1") as DrConfig;
  before(async () => {
    run = await build(dr);
  });

  it("makes every bucket versioned, KMS-encrypted with bucket keys, TLS-only, private and owner-enforced", () => {
    const buckets = run.byType(`${S3}bucket:Bucket`);
    expect(buckets.map((b) => b.inputs.bucket)).to.have.members(["acme-harbor-dr", "acme-harbor-dr-replica"]);
    for (const b of buckets) {
      expect(b.protect, `${b.name} protected`).to.equal(true);
      expect(b.inputs.forceDestroy).to.equal(false);
      const [versioning] = forBucket(run, "bucketVersioning:BucketVersioning", b);
      expect(at(versioning.inputs, "versioningConfiguration.status")).to.equal("Enabled");
      const [sse] = forBucket(
        run,
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        b,
      );
      const rule = (sse.inputs.rules as Record<string, unknown>[])[0];
      expect(at(rule, "applyServerSideEncryptionByDefault.sseAlgorithm")).to.equal("aws:kms");
      expect(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")).to.match(/^arn:aws:kms:/);
      expect(rule.bucketKeyEnabled).to.equal(true);
      const [pab] = forBucket(run, "bucketPublicAccessBlock:BucketPublicAccessBlock", b);
      expect(pab.inputs).to.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const [own] = forBucket(run, "bucketOwnershipControls:BucketOwnershipControls", b);
      expect(at(own.inputs, "rule.objectOwnership")).to.equal("BucketOwnerEnforced");
      const [policy] = forBucket(run, "bucketPolicy:BucketPolicy", b);
      expect(JSON.parse(policy.inputs.policy as string)).to.deep.equal(
        drBucketPolicy(`arn:aws:s3:::${b.inputs.bucket}`),
      );
      const [lifecycle] = forBucket(run, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", b);
      const rules = lifecycle.inputs.rules as Record<string, unknown>[];
      expect(rules.map((r) => at(r, "noncurrentVersionExpiration.noncurrentDays"))).to.include(30);
      expect(rules.map((r) => at(r, "abortIncompleteMultipartUpload.daysAfterInitiation"))).to.include(7);
    }
    for (const key of run.byType("aws:kms/key:Key")) {
      expect(key.inputs.enableKeyRotation).to.equal(true);
      expect(key.protect).to.equal(true);
    }
  });

  it("refuses plain HTTP for every principal", () => {
    const deny = drBucketPolicy("arn:aws:s3:::b").Statement[0];
    expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*" });
    expect(deny.Resource).to.deep.equal(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("replicates to the second region with delete markers and KMS re-encryption", () => {
    const repl = run.one(`${S3}bucketReplicationConfig:BucketReplicationConfig`);
    const rule = (repl.inputs.rules as Record<string, unknown>[])[0];
    expect(at(rule, "deleteMarkerReplication.status")).to.equal("Enabled");
    expect(at(rule, "sourceSelectionCriteria.sseKmsEncryptedObjects.status")).to.equal("Enabled");
    expect(at(rule, "destination.bucket")).to.equal("arn:aws:s3:::acme-harbor-dr-replica");
    expect(at(rule, "destination.encryptionConfiguration.replicaKmsKeyId")).to.match(/^arn:aws:kms:/);
  });

  it("limits each writer to its own prefix of the DR bucket, and the restore user to reading", () => {
    const policies = run.byType("aws:iam/userPolicy:UserPolicy");
    expect(policies.map((p) => p.name)).to.have.members(["dr-mirror", "dr-velero", "dr-restore"]);
    for (const p of policies.filter((x) => x.name !== "dr-restore")) {
      const prefix = p.name === "dr-mirror" ? DR_PREFIXES.mirror : DR_PREFIXES.velero;
      const other = prefix === DR_PREFIXES.mirror ? DR_PREFIXES.velero : DR_PREFIXES.mirror;
      for (const s of allows(JSON.parse(p.inputs.policy as string) as PolicyDocument)) {
        expect(
          s.actions.some((a) => a.endsWith("*")),
          `${p.name}: no wildcard actions`,
        ).to.equal(false);
        for (const r of s.resources) {
          expect(r).not.to.equal("*");
          // Writers never touch the replica: only replication writes there.
          expect(r).not.to.include("acme-harbor-dr-replica");
          if (r.startsWith("arn:aws:s3") && r.includes("/"))
            expect(r).to.match(new RegExp(`/${prefix}/\\*$`));
          if (r.startsWith("arn:aws:s3") && !r.includes("/")) {
            // Listing the bucket is allowed only for the user's own prefix.
            expect(s.actions).to.deep.equal(["s3:ListBucket"]);
            expect(s.condition).to.deep.equal({ StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } });
          }
          expect(r).not.to.include(`/${other}`);
        }
      }
    }
    // The restore user reads both buckets, every version, and writes nothing anywhere.
    const doc = restoreUserPolicy(
      { bucketArn: "arn:aws:s3:::p", keyArn: "k1", region: "eu-central-1" },
      { bucketArn: "arn:aws:s3:::r", keyArn: "k2", region: "eu-west-1" },
    );
    expect(allows(doc).flatMap((s) => s.actions)).to.have.members([
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "kms:Decrypt",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "kms:Decrypt",
    ]);
    const writer = prefixUserPolicy("velero", {
      bucketArn: "arn:aws:s3:::p",
      keyArn: "k1",
      region: "eu-central-1",
    });
    expect(allows(writer).flatMap((s) => s.resources)).to.not.include("arn:aws:s3:::r");
  });

  it("keeps access keys secret", () => {
    for (const name of ["dr-mirror-credentials", "velero-credentials"]) {
      const secret = run.one("kubernetes:core/v1:Secret", name);
      expect(secret.secretPaths.some((p) => p.startsWith("stringData"))).to.equal(true);
    }
  });

  it("mirrors every MinIO bucket that holds data to the DR bucket with SSE-KMS", () => {
    const cron = run.one("kubernetes:batch/v1:CronJob", "dr-mirror");
    expect(at(cron.inputs, "spec.schedule")).to.equal("*/15 * * * *");
    expect(at(cron.inputs, "spec.concurrencyPolicy")).to.equal("Forbid");
    const pod = at(cron.inputs, "spec.jobTemplate.spec.template.spec") as Record<string, unknown>;
    const container = (pod.containers as Record<string, unknown>[])[0];
    expect(container.image).to.equal(`${images.rclone.repository}:${images.rclone.tag}`);
    const script = (container.command as string[])[2];
    // WAL first; each bucket synced only after a dry run within its delete bound passed.
    expect(script.indexOf(`mirror ${MIRROR_BUCKETS.backups} `)).to.be.greaterThan(0);
    expect(script.indexOf(`mirror ${MIRROR_BUCKETS.backups} `)).to.be.lessThan(
      script.indexOf(`mirror ${MIRROR_BUCKETS.registry} `),
    );
    for (const b of DATA_BUCKETS) {
      expect(script).to.include(`\nmirror ${b} minio:${b} dr:acme-harbor-dr/mirror/${b}\n`);
    }
    expect(script).to.include("limit=$((count * 10 / 100))");
    expect(script).to.include('[ "$limit" -ge 50 ] || limit=50');
    expect(script).to.include('[ "$limit" -le 1000 ] || limit=1000');
    expect(script).to.match(
      /rclone sync --dry-run .*--checksum --fast-list .*--max-delete "\$1" "\$2" "\$3"/,
    );
    expect(script).to.include('dryrun "$limit" "$2" "$3"');
    expect(script).to.match(
      /rclone sync --exclude '\*\*\/_uploads\/\*\*' .*--max-delete "\$limit" "\$2" "\$3"/,
    );
    expect(script).to.not.include("set -e");
    const env = Object.fromEntries(
      (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? "from-secret"]),
    );
    expect(env).to.include({
      RCLONE_CONFIG_MINIO_PROVIDER: "Minio",
      RCLONE_CONFIG_MINIO_ENDPOINT: MINIO.endpoint,
      RCLONE_CONFIG_DR_PROVIDER: "AWS",
      RCLONE_CONFIG_DR_SERVER_SIDE_ENCRYPTION: "aws:kms",
      RCLONE_CONFIG_DR_NO_CHECK_BUCKET: "true",
      RCLONE_CONFIG_DR_ACCESS_KEY_ID: "from-secret",
      RCLONE_CONFIG_MINIO_SECRET_ACCESS_KEY: "from-secret",
    });
    expect(env.RCLONE_CONFIG_DR_SSE_KMS_KEY_ID).to.match(/^arn:aws:kms:/);
    expect(env).to.include({ RCLONE_CA_CERT: "/tmp/ca-bundle.pem", MINIO_CA_FILE: "/etc/minio-ca/ca.crt" });
    expect(script.split("\n")[1]).to.equal(
      'cat "$SYSTEM_CA_FILE" "$MINIO_CA_FILE" > "$RCLONE_CA_CERT" || exit 1',
    );
    expect(at(pod, "securityContext.runAsNonRoot")).to.equal(true);
    expect(at(container, "securityContext.allowPrivilegeEscalation")).to.equal(false);
    expect(at(container, "securityContext.capabilities.drop")).to.deep.equal(["ALL"]);
    expect(at(container, "resources.limits.memory")).to.be.a("string");
    expect(at(cron.inputs, "spec.jobTemplate.spec.activeDeadlineSeconds")).to.be.a("number");
  });

  it("installs Velero 12.1.0 with the AWS plugin 1.14 and values its chart accepts", () => {
    const release = run.one("kubernetes:helm.sh/v3:Release", "velero");
    expect(release.inputs).to.include({
      chart: "velero",
      version: chartVersion(charts.velero.upstream),
      name: "velero",
      namespace: "velero",
    });
    expect(at(release.inputs, "values.initContainers")).to.deep.include.members([
      {
        ...(veleroValues("720h", PUBLIC_SOURCES.images).initContainers as Record<string, unknown>[])[0],
        image: `docker.io/velero/velero-plugin-for-aws:${images.veleroPluginForAws.tag}`,
      },
    ]);
    expect(at(release.inputs, "values.credentials.existingSecret")).to.equal("velero-credentials");
    expect(unknownValuePaths(charts.velero.upstream, release.inputs.values)).to.deep.equal([]);
    expect(valuesSchemaErrors(charts.velero.upstream, release.inputs.values)).to.deep.equal([]);
  });

  it("backs up the Harbor namespaces, Secrets included, to an Available BSL on the velero/ prefix", () => {
    const release = run.one("kubernetes:helm.sh/v3:Release", "velero");
    const bsl = run.one("kubernetes:velero.io/v1:BackupStorageLocation", "velero-bsl");
    expect(at(bsl.inputs, "metadata.annotations")).to.deep.include({
      "pulumi.com/waitFor": "jsonpath={.status.phase}=Available",
    });
    expect(at(bsl.inputs, "spec.objectStorage")).to.deep.equal({
      bucket: "acme-harbor-dr",
      prefix: "velero",
    });
    expect(bsl.dependencies).to.include(release.urn);
    expect(crdErrors("velero-crds", "velero.io_backupstoragelocations.yaml", bsl.inputs.spec)).to.deep.equal(
      [],
    );

    const schedule = run.one("kubernetes:velero.io/v1:Schedule", "velero-schedule");
    expect(schedule.dependencies).to.include(release.urn);
    expect(crdErrors("velero-crds", "velero.io_schedules.yaml", schedule.inputs.spec)).to.deep.equal([]);
    const template = at(schedule.inputs, "spec.template") as Record<string, unknown>;
    expect(template.includedNamespaces).to.include.members(["harbor", "harbor-db"]);
    expect(template.ttl).to.equal("720h");
    const excluded = [
      ...((template.excludedResources as string[]) ?? []),
      ...((template.excludedNamespaceScopedResources as string[]) ?? []),
    ];
    expect(excluded).not.to.include("secrets");
    const included = (template.includedResources ?? template.includedNamespaceScopedResources) as
      string[] | undefined;
    expect(included === undefined || included.includes("*") || included.includes("secrets")).to.equal(true);
  });
});

describe("restore switch", () => {
  const off = parseDr(RAW, "prod", "eu-central-1") as DrConfig;
  const on = parseDr({ ...RAW, restore: RESTORE }, "prod", "eu-central-1") as DrConfig;
  const db = {
    objectStoreName: "harbor-db-store",
    database: "registry",
    owner: "harbor",
    ownerSecretName: "harbor-db-app",
  };
  const cluster = {
    instances: 3,
    storage: { size: "50Gi", storageClass: "local-nvme" },
    bootstrap: { initdb: { database: "registry", owner: "harbor", secret: { name: "harbor-db-app" } } },
    plugins: [
      { name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: "harbor-db-store" } },
    ],
  };

  it("bootstraps the database by point-in-time recovery from the barman-cloud archive", () => {
    const spec = applyRestore(cluster, db, on.restore);
    expect(spec.bootstrap).to.deep.equal({
      recovery: {
        source: "dr-origin",
        database: "registry",
        owner: "harbor",
        secret: { name: "harbor-db-app" },
        recoveryTarget: { targetTime: "2026-03-01T10:30:00Z" },
      },
    });
    expect(spec.externalClusters).to.deep.equal([
      {
        name: "dr-origin",
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: { barmanObjectName: "harbor-db-store", serverName: "harbor-db" },
        },
      },
    ]);
    // The restored cluster archives under a new name: barman refuses a non-empty archive.
    expect(at((spec.plugins as unknown[])[0], "parameters.serverName")).to.equal("harbor-db-restored");
    expect(crdErrors("cloudnative-pg-crds", "postgresql.cnpg.io_clusters.yaml", spec)).to.deep.equal([]);
    expect(applyRestore(cluster, db, off.restore)).to.equal(cluster);
  });

  it("changes the database bootstrap and adds the refill, and nothing that holds data", async () => {
    const spec = applyRestore(cluster, db, on.restore);
    const changed = Object.keys(spec).filter(
      (k) => JSON.stringify(spec[k]) !== JSON.stringify((cluster as Record<string, unknown>)[k]),
    );
    expect(changed).to.have.members(["bootstrap", "externalClusters", "plugins"]);
    expect(spec.storage).to.deep.equal(cluster.storage);

    const [a, b] = [await build(off), await build(on)];
    const key = (r: Registered) => `${r.type}::${r.name}`;
    const before = new Map(a.resources.map((r) => [key(r), r]));
    const added = b.resources.filter((r) => !before.has(key(r)));
    expect(added.map(key)).to.deep.equal([
      "kubernetes:core/v1:Secret::dr-mirror-restore-credentials",
      "kubernetes:batch/v1:Job::dr-mirror-refill",
    ]);
    for (const r of b.resources.filter(
      (x) => x.type.startsWith("aws:") || x.type.startsWith("kubernetes:velero.io"),
    )) {
      expect(r.inputs, key(r)).to.deep.equal(before.get(key(r))?.inputs);
      expect(r.protect).to.equal(before.get(key(r))?.protect);
    }
    const refill = added[1];
    const script = (at(refill.inputs, "spec.template.spec.containers") as { command: string[] }[])[0]
      .command[2];
    for (const bucket of DATA_BUCKETS) {
      expect(script).to.include(`rclone copy dr:acme-harbor-dr/mirror/${bucket} minio:${bucket}`);
    }
    expect(script).not.to.match(/rclone sync/);
    // The mirror must not sync a half-refilled MinIO over the DR copy.
    expect(b.one("kubernetes:batch/v1:CronJob").dependencies).to.include(refill.urn);
  });
});

describe("conformance checker", () => {
  it("catches unknown chart values and unknown CR fields", () => {
    expect(
      unknownValuePaths(charts.velero.upstream, { credentials: { existingSecrett: "x" } }),
    ).to.deep.equal(["credentials.existingSecrett"]);
    expect(
      crdErrors("velero-crds", "velero.io_schedules.yaml", {
        schedule: "@daily",
        template: { includedNamespace: [] },
      }),
    ).to.have.length.greaterThan(0);
  });
});
