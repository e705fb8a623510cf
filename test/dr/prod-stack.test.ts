// Disaster recovery as the real prod stack registers it (Pulumi.prod.yaml under mocks), and
// what the restore switch changes there. No hand-built fixtures: everything is derived from
// the registrations.
import { expect } from "chai";
import { stackConfig, at, evaluateStack, StackSecret, type Registered, type StackRun } from "../harness";
import { LocalSite, podScript, rclone, requireRclone } from "./rclone-cli";
import { forBucket, list, message, statements } from "./stack-helpers";
import { expectDefaultDeny, flowPolicies, flowPolicy } from "../reachability/network-policy";

const BUCKET = "aws:s3/bucket:Bucket";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const JOB = "kubernetes:batch/v1:Job";
const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const SCHEDULE = "kubernetes:velero.io/v1:Schedule";
const BSL = "kubernetes:velero.io/v1:BackupStorageLocation";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const PROD = stackConfig("prod");
const DR = PROD.dr as { bucketName: string; replicaBucketName: string; mirrorSchedule: string };
const BACKUP = PROD.backup as { schedule: string; ttl: string };
const RESTORE = {
  enabled: true,
  source: { bucket: DR.bucketName, region: PROD["aws:region"], serverName: "harbor-pg" },
  targetTime: "2026-03-01T10:30:00Z",
  mirrorVersionAt: "2026-03-01T10:00:00Z",
};

const release = (run: StackRun, chart: string) =>
  run.byType(RELEASE).find((r) => r.inputs.chart === chart) as Registered;
const meta = (r: Registered, key: "name" | "namespace") => at(r.inputs, `metadata.${key}`) as string;
describe("DR on the prod stack", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  describe("AWS side", () => {
    it("registers the DR bucket and its replica, named from config, with explicit regional providers", () => {
      const names = run.byType(BUCKET).map((b) => b.inputs.bucket);
      expect(names).to.have.members([DR.bucketName, DR.replicaBucketName]);
      const regions = run.byType("pulumi:providers:aws").map((p) => p.inputs.region);
      expect(regions).to.have.members([PROD["aws:region"], "eu-west-1"]);
      for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) {
        expect(r.inputs, r.name).to.not.have.property("provider");
      }
    });

    it("every bucket is SSE-KMS with a bucket key, versioned, private, owner-enforced, TLS-only, expiring, protected", () => {
      const buckets = run.byType(BUCKET);
      expect(buckets).to.have.length.greaterThan(0);
      for (const b of buckets) {
        const name = String(b.inputs.bucket);
        expect(b.protect, name).to.equal(true);
        expect(b.inputs.forceDestroy ?? false, name).to.equal(false);

        const [sse] = forBucket(
          run,
          "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          b,
        );
        const rule = (sse.inputs.rules as Record<string, unknown>[])[0];
        expect(at(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"), name).to.equal("aws:kms");
        expect(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId"), name).to.match(/^arn:aws:kms:/);
        expect(rule.bucketKeyEnabled, name).to.equal(true);

        const [versioning] = forBucket(run, "bucketVersioning:BucketVersioning", b);
        expect(at(versioning.inputs, "versioningConfiguration.status"), name).to.equal("Enabled");

        const [pab] = forBucket(run, "bucketPublicAccessBlock:BucketPublicAccessBlock", b);
        expect(pab.inputs, name).to.include({
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });

        const [ownership] = forBucket(run, "bucketOwnershipControls:BucketOwnershipControls", b);
        expect(at(ownership.inputs, "rule.objectOwnership"), name).to.equal("BucketOwnerEnforced");

        const [policy] = forBucket(run, "bucketPolicy:BucketPolicy", b);
        const denies = statements(policy.inputs.policy).filter(
          (s) => s.Effect === "Deny" && s.Principal === "*",
        );
        expect(
          denies.some(
            (s) => s.Condition?.Bool?.["aws:SecureTransport"] === "false" && list(s.Resource).length === 2,
          ),
          name,
        ).to.equal(true);
        expect(
          statements(policy.inputs.policy).filter((s) => s.Effect === "Allow"),
          name,
        ).to.deep.equal([]);

        const [lifecycle] = forBucket(run, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", b);
        const rules = lifecycle.inputs.rules as Record<string, unknown>[];
        expect(
          rules.every((r) => r.status === "Enabled"),
          name,
        ).to.equal(true);
        expect(
          rules.some((r) => at(r, "noncurrentVersionExpiration.noncurrentDays") === 30),
          name,
        ).to.equal(true);
        expect(
          rules.some((r) => at(r, "abortIncompleteMultipartUpload.daysAfterInitiation") === 7),
          name,
        ).to.equal(true);
      }
    });

    it("every KMS key rotates and is protected", () => {
      const keys = run.byType("aws:kms/key:Key");
      expect(keys).to.have.length(run.byType(BUCKET).length);
      for (const k of keys)
        expect([k.inputs.enableKeyRotation, k.protect], k.name).to.deep.equal([true, true]);
    });

    it("each writer's policy grants only its own prefix of the DR bucket, and nothing on the replica", () => {
      const policies = run
        .byType("aws:iam/userPolicy:UserPolicy")
        .filter((p) => p.inputs.user !== `${DR.bucketName}-restore`);
      const prefixes = policies.map((p) => String(p.inputs.user).slice(DR.bucketName.length + 1)).sort();
      expect(prefixes).to.deep.equal(["mirror", "velero"]);
      for (const p of policies) {
        const prefix = String(p.inputs.user).slice(DR.bucketName.length + 1);
        for (const s of statements(p.inputs.policy).filter((x) => x.Effect === "Allow")) {
          const actions = list(s.Action);
          for (const resource of list(s.Resource)) {
            expect(resource, s.Sid).to.not.equal("*");
            const bucket = /^arn:aws:s3:::([^/]+)(\/.*)?$/.exec(resource);
            if (bucket) {
              expect(bucket[1], s.Sid).to.equal(DR.bucketName);
              if (bucket[2] === undefined) {
                // The bucket itself: only listing, and only under the prefix.
                expect(actions, s.Sid).to.deep.equal(["s3:ListBucket"]);
                expect(list(s.Condition?.StringLike?.["s3:prefix"]), s.Sid).to.have.members([
                  prefix,
                  `${prefix}/*`,
                ]);
              } else {
                expect(bucket[2], s.Sid).to.equal(`/${prefix}/*`);
              }
            } else {
              // The bucket's KMS key, usable only through S3.
              expect(
                actions.every((a) => a.startsWith("kms:")),
                s.Sid,
              ).to.equal(true);
              expect(s.Condition?.StringEquals?.["kms:ViaService"], s.Sid).to.match(
                /^s3\.[a-z0-9-]+\.amazonaws\.com$/,
              );
            }
            expect(
              actions.some((a) => a.includes("*")),
              s.Sid,
            ).to.equal(false);
          }
        }
      }
    });
  });

  describe("MinIO -> S3 mirror", () => {
    it("syncs every bucket the MinIO release creates into the DR bucket's mirror/ prefix, SSE-KMS", () => {
      const minioBuckets = (at(release(run, "minio").inputs.values, "buckets") as { name: string }[]).map(
        (b) => b.name,
      );
      expect(minioBuckets).to.have.length.greaterThan(1);
      const cron = run.one(CRONJOB, "harbor-platform-dr-mirror");
      expect(meta(cron, "namespace")).to.equal(release(run, "minio").inputs.namespace);
      const spec = cron.inputs.spec as Record<string, unknown>;
      expect(spec).to.include({ schedule: DR.mirrorSchedule, concurrencyPolicy: "Forbid" });
      const container = (
        at(spec, "jobTemplate.spec.template.spec.containers") as Record<string, unknown>[]
      )[0];
      const script = (container.command as string[]).join(" ");
      for (const b of minioBuckets) {
        expect(script).to.include(`\nmirror ${b} minio:${b} dr:${DR.bucketName}/mirror/${b}\n`);
      }
      // The bucket the WAL archive writes (the ObjectStore's destinationPath) is mirrored first,
      // whatever the registry bucket's sync does.
      const store = run.one("kubernetes:barmancloud.cnpg.io/v1:ObjectStore");
      const walBucket = /^s3:\/\/([^/]+)\/$/.exec(
        String(at(store.inputs, "spec.configuration.destinationPath")),
      )?.[1];
      const first = minioBuckets.map((b) => script.indexOf(`\nmirror ${b} `)).sort((x, y) => x - y)[0];
      expect(script.slice(first)).to.match(new RegExp(`^\\nmirror ${walBucket} `));
      expect(script).to.not.include("set -e");
      const env = container.env as { name: string; value?: string; valueFrom?: unknown }[];
      const value = (n: string) => env.find((e) => e.name === n)?.value;
      expect(value("RCLONE_CONFIG_DR_SERVER_SIDE_ENCRYPTION")).to.equal("aws:kms");
      expect(value("RCLONE_CONFIG_DR_REGION")).to.equal(PROD["aws:region"]);
      expect(value("RCLONE_CONFIG_MINIO_ENDPOINT")).to.match(/^https:\/\//);
      // Keys only from Secrets: the mirror's read-only MinIO user and the DR mirror IAM user.
      for (const e of env.filter(
        (x) => x.name.endsWith("_ACCESS_KEY_ID") || x.name.endsWith("_SECRET_ACCESS_KEY"),
      )) {
        expect(e.value, e.name).to.equal(undefined);
        expect(e.valueFrom, e.name).to.have.property("secretKeyRef");
      }
      const minioKey = env.find((e) => e.name === "RCLONE_CONFIG_MINIO_ACCESS_KEY_ID");
      expect(at(minioKey, "valueFrom.secretKeyRef.name")).to.equal("minio-user-mirror");
    });

    it("the mirror's AWS keys reach the cluster only as a secret", () => {
      const secret = run
        .byType("kubernetes:core/v1:Secret")
        .find((s) => meta(s, "name") === "dr-mirror-credentials") as Registered;
      for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
        expect(
          secret.secretPaths.some((p) => p === "stringData" || p === `stringData.${k}`),
          k,
        ).to.equal(true);
      }
    });

    it("MinIO's namespace admits the mirror pods and lets them reach AWS S3 over https", () => {
      const ns = String(release(run, "minio").inputs.namespace);
      const byName = (n: string) => flowPolicy(run, ns, n).spec;
      const toS3 = byName("dr-mirror-to-aws-s3");
      expect(at(toS3, "podSelector.matchLabels")).to.deep.equal({
        "app.kubernetes.io/name": "dr-mirror",
      });
      expect(toS3.egress).to.deep.equal([
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
      ]);
      // Same-namespace flows reach MinIO's port from any pod in the namespace (the mirror's too).
      const ingress = byName("same-namespace-ingress");
      expect(ingress.podSelector).to.deep.equal({});
      expect(JSON.stringify(ingress.ingress)).to.include('"port":9000');
      expect(JSON.stringify(byName("same-namespace-egress").egress)).to.include('"port":9000');
    });
  });

  describe("Velero", () => {
    it("backs up Harbor's and the database's namespaces with their Secrets, TTL from config", () => {
      const schedule = run.one(SCHEDULE);
      const spec = schedule.inputs.spec as Record<string, unknown>;
      expect(spec.schedule).to.equal(BACKUP.schedule);
      const template = spec.template as Record<string, unknown>;
      expect(template.ttl).to.equal(BACKUP.ttl);
      const harborNs = release(run, "harbor").inputs.namespace;
      const dbNs = meta(run.one(CLUSTER), "namespace");
      expect(template.includedNamespaces).to.include.members([harborNs, dbNs]);
      expect(list(template.includedResources as string[] | undefined).filter((r) => r !== "*")).to.deep.equal(
        [],
      );
      expect(list(template.excludedResources as string[] | undefined)).to.not.include("secrets");
      expect(list(template.excludedNamespaceScopedResources as string[])).to.not.include("secrets");
      // The Secrets Harbor needs to read its database live there.
      const needed = run
        .byType("kubernetes:core/v1:Secret")
        .filter((s) => ["harbor-database", "harbor-pg-owner"].includes(meta(s, "name")));
      expect(needed).to.have.length(2);
      for (const s of needed) expect(template.includedNamespaces).to.include(meta(s, "namespace"));
      const harborSecretKey = run
        .byType("kubernetes:core/v1:Secret")
        .filter((s) => meta(s, "namespace") === harborNs);
      expect(harborSecretKey).to.have.length.greaterThan(0);
    });

    it("stores on the DR bucket's velero/ prefix with its KMS key, in its own namespace", () => {
      const bsl = run.one(BSL);
      expect(at(bsl.inputs, "spec.objectStorage")).to.deep.equal({ bucket: DR.bucketName, prefix: "velero" });
      expect(at(bsl.inputs, "spec.config.region")).to.equal(PROD["aws:region"]);
      expect(at(bsl.inputs, "spec.config.kmsKeyId")).to.match(/^arn:aws:kms:/);
      const velero = release(run, "velero");
      expect(velero.inputs.namespace).to.equal("velero");
      expect(meta(bsl, "namespace")).to.equal("velero");
    });

    it("Velero's namespace is deny-by-default with DNS, the kube API, https to S3 and metrics", () => {
      expectDefaultDeny(run, "velero");
      expect([...flowPolicies(run, "velero").keys()]).to.have.members([
        "dns",
        "kube-api",
        "to-aws-s3",
        "metrics-scrape",
      ]);
    });
  });

  describe("restore switch", () => {
    let restored: StackRun;
    before(async () => {
      restored = await evaluateStack("prod", { restore: RESTORE });
    });

    it("refills with the read-only restore user's key, so fencing the writers does not stop it", () => {
      const refill = restored.one(JOB, "harbor-platform-dr-mirror-refill");
      const secretRefs = JSON.stringify(at(refill.inputs, "spec.template.spec.containers"));
      expect(secretRefs).to.include('"name":"dr-restore-credentials"');
      expect(secretRefs).to.not.include('"name":"dr-mirror-credentials"');
      const keyOf = (secret: string) =>
        restored
          .one("kubernetes:core/v1:Secret", secret)
          .inputDependencies.filter((u) => u.includes("aws:iam/accessKey:AccessKey::"))
          .map((u) => u.split("::").pop());
      expect(keyOf("harbor-platform-dr-mirror-restore-credentials")).to.deep.equal([
        "harbor-platform-dr-restore",
      ]);
      expect(keyOf("harbor-platform-dr-mirror-credentials")).to.deep.equal(["harbor-platform-dr-mirror"]);
    });

    const key = (r: Registered) => `${r.type}::${r.name}`;

    it("changes the Cluster's bootstrap and archive serverName, adds the refill Job, and nothing else", () => {
      const before = new Map(run.resources.map((r) => [key(r), r]));
      const after = new Map(restored.resources.map((r) => [key(r), r]));
      expect(
        [...before.keys()].filter((k) => !after.has(k)),
        "removed",
      ).to.deep.equal([]);
      const added = [...after.keys()].filter((k) => !before.has(k));
      expect(added).to.deep.equal([
        "kubernetes:core/v1:Secret::harbor-platform-dr-mirror-restore-credentials",
        `${JOB}::harbor-platform-dr-mirror-refill`,
      ]);
      const changed = [...before.keys()].filter(
        (k) => JSON.stringify(before.get(k)?.inputs) !== JSON.stringify(after.get(k)?.inputs),
      );
      // The restore drill follows the restored cluster's new archive (components/dr/drill.ts).
      expect(changed).to.deep.equal([
        "kubernetes:core/v1:ConfigMap::harbor-platform-dr-drill-manifests",
        `${CLUSTER}::harbor-pg`,
      ]);
      for (const [k, r] of before) expect(after.get(k)?.protect, k).to.equal(r.protect);

      const spec = (r: Registered) => r.inputs.spec as Record<string, unknown>;
      const [a, b] = [spec(run.one(CLUSTER)), spec(restored.one(CLUSTER))];
      const rest = (s: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(s).filter(([k]) => !["bootstrap", "externalClusters", "plugins"].includes(k)),
        );
      expect(rest(b)).to.deep.equal(rest(a));
      expect(at(a, "bootstrap.initdb")).to.not.equal(undefined);
      expect(at(b, "bootstrap")).to.deep.equal({
        recovery: {
          source: "dr-origin",
          database: "registry",
          owner: "harbor",
          secret: { name: "harbor-pg-owner" },
          recoveryTarget: { targetTime: RESTORE.targetTime },
        },
      });
      expect(at(b, "externalClusters")).to.deep.equal([
        {
          name: "dr-origin",
          plugin: {
            name: "barman-cloud.cloudnative-pg.io",
            parameters: { barmanObjectName: "harbor-pg-backups", serverName: "harbor-pg" },
          },
        },
      ]);
      expect(at(b, "plugins")).to.deep.equal([
        {
          name: "barman-cloud.cloudnative-pg.io",
          isWALArchiver: true,
          parameters: { barmanObjectName: "harbor-pg-backups", serverName: "harbor-pg-restored" },
        },
      ]);
    });

    it("refills every MinIO bucket from the DR copy (copy, never sync) with a MinIO user that may write", () => {
      const job = restored.one(JOB, "harbor-platform-dr-mirror-refill");
      const container = (at(job.inputs, "spec.template.spec.containers") as Record<string, unknown>[])[0];
      const script = (container.command as string[]).join(" ");
      const minioBuckets = (
        at(release(restored, "minio").inputs.values, "buckets") as { name: string }[]
      ).map((x) => x.name);
      for (const b of minioBuckets)
        expect(script).to.include(`rclone copy dr:${DR.bucketName}/mirror/${b} minio:${b} `);
      expect(script).to.not.include("rclone sync");
      const env = container.env as { name: string; valueFrom?: unknown }[];
      expect(
        at(
          env.find((e) => e.name === "RCLONE_CONFIG_MINIO_ACCESS_KEY_ID"),
          "valueFrom.secretKeyRef.name",
        ),
      ).to.equal("minio-root");
      // Reading SSE-KMS objects with --checksum needs rclone told they are KMS-encrypted.
      const plain = env as { name: string; value?: string }[];
      expect(plain.find((e) => e.name === "RCLONE_CONFIG_DR_SERVER_SIDE_ENCRYPTION")?.value).to.equal(
        "aws:kms",
      );
      // Point in time: the DR remote reads S3 versions at restore.mirrorVersionAt. rclone docs
      // (docs/content/s3.md; Debian 1.60 MANUAL): "--s3-version-at ... Config: version_at ...
      // no file write operations are permitted", so it goes on the DR remote only, never as the
      // global flag (that would also bind the MinIO remote the refill writes).
      const versionAt = plain.filter((e) => e.name.endsWith("VERSION_AT"));
      expect(versionAt).to.deep.equal([
        { name: "RCLONE_CONFIG_DR_VERSION_AT", value: RESTORE.mirrorVersionAt },
      ]);
      expect(script).to.not.include("version-at");
      // The value is one rclone's time parser takes as that instant (the real binary).
      requireRclone();
      expect(rclone(["lsf", "--s3-version-at", String(versionAt[0].value), "/"]).status).to.equal(0);
      expect(rclone(["lsf", "--s3-version-at", "yesterday", "/"]).status).to.not.equal(0);
      const refillPolicy = flowPolicy(
        restored,
        String(release(restored, "minio").inputs.namespace),
        "dr-refill-from-aws-s3",
      ).spec;
      expect(at(refillPolicy, "podSelector.matchLabels")).to.deep.equal({
        "app.kubernetes.io/name": "dr-refill",
      });
    });

    it("the refill script, run for real (bash + Debian's rclone, local folders), copies the DR copy back and never deletes", () => {
      requireRclone();
      const pod = podScript(
        (
          at(
            restored.one(JOB, "harbor-platform-dr-mirror-refill").inputs,
            "spec.template.spec.containers",
          ) as Parameters<typeof podScript>[0][]
        )[0],
      );
      const buckets = (at(release(restored, "minio").inputs.values, "buckets") as { name: string }[]).map(
        (x) => x.name,
      );
      const site = new LocalSite();
      try {
        for (const b of buckets) {
          site.put(site.dr(DR.bucketName, b), ["a/1", "a/2", "repo/_uploads/x/data"]);
          site.put(site.minio(b), ["kept-in-minio"]);
        }
        const run = site.run(pod);
        expect(run.status, run.log).to.equal(0);
        for (const b of buckets)
          expect(site.list(site.minio(b))).to.deep.equal(["a/1", "a/2", "kept-in-minio"]);
      } finally {
        site.dispose();
      }
    });

    it("the Cluster, Harbor and the mirror wait for the refill; only they gain waits", () => {
      const job = restored.one(JOB, "harbor-platform-dr-mirror-refill");
      const before = new Map(run.resources.map((r) => [key(r), r]));
      const gained = restored.resources
        .filter((r) => before.has(key(r)))
        .filter((r) => r.dependencies.some((d) => !(before.get(key(r))?.dependencies ?? []).includes(d)))
        .map(key)
        .sort();
      expect(gained).to.deep.equal(
        [`${CLUSTER}::harbor-pg`, `${CRONJOB}::harbor-platform-dr-mirror`, `${RELEASE}::harbor`].sort(),
      );
      for (const k of gained) {
        const r = restored.resources.find((x) => key(x) === k) as Registered;
        const added = r.dependencies.filter((d) => !(before.get(k)?.dependencies ?? []).includes(d));
        expect(added, k).to.deep.equal([job.urn]);
      }
      expect(job.dependencies).to.include(release(restored, "minio").urn);
    });
  });

  describe("external object store", () => {
    it("keeps the DR bucket and Velero but runs no mirror (the store's owner replicates it)", async () => {
      const ext = await evaluateStack("prod", {
        objectStore: {
          mode: "external",
          endpoint: "https://s3.eu-west-1.amazonaws.com",
          region: "eu-west-1",
        },
        objectStoreAccessKey: new StackSecret("AKIAEXAMPLE"),
        objectStoreSecretKey: new StackSecret("example-secret"),
      });
      expect(ext.byType(BUCKET)).to.have.length(2);
      expect(ext.byType(SCHEDULE)).to.have.length(1);
      expect(ext.byType(CRONJOB)).to.deep.equal([]);
      const namespaces = new Set(ext.byType(NETPOL).map((p) => meta(p, "namespace")));
      expect(namespaces.size).to.be.greaterThan(3);
      for (const ns of namespaces)
        expect([...flowPolicies(ext, ns).keys()], ns).to.not.include("dr-mirror-to-aws-s3");
    });
  });

  describe("bad input stops the stack with one line", () => {
    it("without aws:region", async () => {
      expect(await message({ "aws:region": undefined })).to.equal(
        "aws:region = (unset): required for topology prod: the AWS region of the DR bucket, like eu-central-1",
      );
    });

    it("without the dr section", async () => {
      expect(await message({ dr: undefined })).to.match(
        /^harbor-platform:dr = \(unset\): required for topology prod/,
      );
    });

    it("with the replica in the primary region", async () => {
      expect(await message({ dr: { ...DR, replicaRegion: PROD["aws:region"] } })).to.equal(
        'harbor-platform:dr.replicaRegion = "eu-central-1": a region other than aws:region (eu-central-1): the replica must survive the loss of the primary region',
      );
    });

    it("with a backup TTL shorter than two schedule gaps", async () => {
      expect(await message({ backup: { schedule: "0 */6 * * *", ttl: "6h" } })).to.equal(
        'harbor-platform:backup.ttl = "6h": at least twice the longest gap of backup.schedule (12h), so one backup always survives',
      );
    });

    it("with a mirror schedule longer than the RPO", async () => {
      expect(await message({ dr: { ...DR, mirrorSchedule: "@hourly" } })).to.equal(
        'harbor-platform:dr.mirrorSchedule = "@hourly": a schedule whose longest gap (1h) fits in dr.rpoMinutes (30)',
      );
    });

    it("with the restore switch on and no source", async () => {
      expect(await message({ restore: { enabled: true } })).to.equal(
        "harbor-platform:restore.source = (unset): required when restore.enabled is true: {bucket, region, serverName} of the DR copy to restore from",
      );
    });

    it("with DR keys in dev", async () => {
      try {
        await evaluateStack("dev", { backup: BACKUP });
        expect.fail("dev accepted backup");
      } catch (err) {
        expect((err as Error).message).to.equal(
          `harbor-platform:backup = ${JSON.stringify(BACKUP)}: only used by topology prod; remove it from the dev stack`,
        );
      }
    });
  });
});
