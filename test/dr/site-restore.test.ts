// The site-loss restore (scripts/site-restore.ts): its plan for each source and state
// situation, applied to the real prod stack file and run through the real program; the
// lost-state adoption held to what the prod stack registers and to @pulumi/aws's own import
// documentation; the runbook held to the plan.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import {
  ROOT,
  StackSecret,
  at,
  evaluateStack,
  stackConfig,
  type Registered,
  type StackRun,
} from "../harness";
import {
  ADOPTED,
  accessKeyUrns,
  adoptionPlan,
  awsStateUrns,
  dropFromDeployment,
  fateOf,
  iamUserResources,
  iamUsers,
  keyLookups,
  planned,
  refreshTargets,
  type Deployment,
  type ImportEntry,
  type PlannedResource,
} from "../../components/dr/site-restore/lost-state";
import {
  ALL_STEPS,
  archiveServerName,
  restoredSecretSources,
  siteRestorePlan,
  stepTitle,
  type ConfigChange,
  type SiteRestoreInput,
} from "../../components/dr/site-restore/plan";
import {
  backupContentsKey,
  backupRecordKey,
  isSecretEntry,
  newestCompleted,
  readBackedUpSecrets,
  secretValue,
} from "../../components/dr/site-restore/velero";
import { VELERO_BACKUPS, accessKeyEnv, awsCli } from "../../components/dr/site-restore/aws-cli";
import { DR_PREFIXES } from "../../components/dr/policies";
import { RESTORED_SECRET_KEYS } from "../../config/dr";
import { actionExists, cliOperation } from "./aws-models";
import { allows, denies } from "./policy-eval";
import { forBucket, statements } from "./stack-helpers";
import { CLUSTER_NAME, DATABASE_NAMESPACE } from "../../components/platform/prod";

const PROD = stackConfig("prod");
const DR = PROD.dr as { bucketName: string; replicaBucketName: string; replicaRegion: string };
const REGION = PROD["aws:region"] as string;
const NOW = new Date("2026-12-01T14:05:00Z");
const input = (over: Partial<SiteRestoreInput>): SiteRestoreInput => ({
  source: "primary",
  state: "present",
  dr: {
    bucketName: DR.bucketName,
    region: REGION,
    replicaBucketName: DR.replicaBucketName,
    replicaRegion: DR.replicaRegion,
  },
  serverName: CLUSTER_NAME,
  now: NOW,
  ...over,
});

/** The stack config after `pulumi config set/rm [--path]` of each change, as the CLI stores it. */
function applied(changes: readonly ConfigChange[]): Record<string, unknown> {
  const cfg = structuredClone(PROD) as Record<string, unknown>;
  for (const c of changes) {
    const parts = (
      c.key.startsWith("harbor-platform:") ? c.key.slice("harbor-platform:".length) : c.key
    ).split(c.path ? "." : "\u0000");
    let o = cfg;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    const last = parts[parts.length - 1];
    if (c.value === undefined) delete o[last];
    else o[last] = c.value;
  }
  return cfg;
}

/** Overrides for evaluateStack: the changed top-level keys (a removed one unset). */
function overrides(
  changes: readonly ConfigChange[],
  secrets: Record<string, string> = {},
): Record<string, unknown> {
  const after = applied(changes);
  const keys = new Set(changes.map((c) => c.key.replace(/^harbor-platform:/, "").split(".")[0]));
  return {
    ...Object.fromEntries([...keys].map((k) => [k, after[k]])),
    ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, new StackSecret(v)])),
  };
}

const asPlanned = (run: StackRun): PlannedResource[] => planned(run.resources);

const refillOf = (r: StackRun) =>
  JSON.stringify(
    r.byType("kubernetes:batch/v1:Job").find((j) => at(j.inputs, "metadata.name") === "dr-refill")?.inputs,
  );
const secretIn = (r: StackRun, ns: string, name: string) =>
  r
    .byType("kubernetes:core/v1:Secret")
    .find(
      (s) => at(s.inputs, "metadata.namespace") === ns && at(s.inputs, "metadata.name") === name,
    ) as Registered;

const SECRET_KEY = "0123456789abcdef";
const SOURCES = restoredSecretSources({
  harborNamespace: PROD.namespace as string,
  databaseNamespace: DATABASE_NAMESPACE,
  clusterName: CLUSTER_NAME,
});
const RESTORED: Record<string, string> = {
  [RESTORED_SECRET_KEYS.harborSecretKey]: SECRET_KEY,
  [RESTORED_SECRET_KEYS.harborAdminPassword]: "old-admin-password",
  [RESTORED_SECRET_KEYS.databasePassword]: "old-owner-password",
};

describe("site-loss restore", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  describe("plan", () => {
    it("runs refresh before up in every case, and fences before anything changes", () => {
      for (const source of ["primary", "replica"] as const) {
        for (const state of ["present", "lost"] as const) {
          const ids = siteRestorePlan(input({ source, state })).steps.map((s) => s.id);
          expect(ids.indexOf("refresh"), `${source}/${state}`).to.be.greaterThan(-1);
          expect(ids.indexOf("refresh")).to.be.lessThan(ids.indexOf("up"));
          expect(ids.slice(0, 2)).to.deep.equal(["check-copy", "fence-old-site"]);
          // The runbook's order is the order of every plan.
          expect(ids).to.deep.equal(ALL_STEPS.filter((s) => ids.includes(s)));
        }
      }
    });

    it("reads Harbor's secrets only when the state is lost, and adopts AWS when the state is lost or the regions swap", () => {
      const steps = (source: "primary" | "replica", state: "present" | "lost") =>
        siteRestorePlan(input({ source, state })).steps.map((s) => s.id);
      expect(steps("primary", "present")).to.not.include.members(["read-harbor-secrets", "adopt-aws"]);
      expect(steps("primary", "lost")).to.include.members(["read-harbor-secrets", "adopt-aws"]);
      expect(steps("replica", "present")).to.include.members([
        "switch-region",
        "drop-aws-state",
        "adopt-aws",
      ]);
      expect(steps("replica", "present")).to.not.include("read-harbor-secrets");
      expect(steps("replica", "lost")).to.include.members([
        "switch-region",
        "read-harbor-secrets",
        "adopt-aws",
      ]);
      expect(steps("replica", "lost")).to.not.include("drop-aws-state");
    });

    it("deletes the fenced keys only when no state will hold them", () => {
      expect(siteRestorePlan(input({})).fenceDeletesKeys).to.equal(false);
      expect(siteRestorePlan(input({ state: "lost" })).fenceDeletesKeys).to.equal(true);
      expect(siteRestorePlan(input({ source: "replica" })).fenceDeletesKeys).to.equal(true);
    });

    it("names a fresh archive every time, never the lost cluster's", () => {
      expect(archiveServerName("harbor-pg", NOW)).to.equal("harbor-pg-r202612011405");
      // A second restore replaces the stamp rather than stacking suffixes.
      expect(archiveServerName("harbor-pg-r202612011405", new Date("2027-01-02T03:04:00Z"))).to.equal(
        "harbor-pg-r202701020304",
      );
    });

    it("refuses the replica source on a stack without a replica", () => {
      expect(() =>
        siteRestorePlan(input({ source: "replica", dr: { bucketName: DR.bucketName, region: REGION } })),
      ).to.throw(/no replica/);
    });
  });

  describe("the plan's config, through the real program", () => {
    it("primary, state present: the Cluster recovers from the DR bucket under the lost server name, archives under the new one", async () => {
      const plan = siteRestorePlan(input({ targetTime: "2026-12-01T13:00:00Z" }));
      const restored = await evaluateStack("prod", overrides(plan.config));
      const cluster = restored.one("kubernetes:postgresql.cnpg.io/v1:Cluster");
      expect(at(cluster.inputs, "spec.externalClusters")).to.deep.include({
        name: "dr-origin",
        plugin: {
          name: "barman-cloud.cloudnative-pg.io",
          parameters: { barmanObjectName: "harbor-pg-backups", serverName: CLUSTER_NAME },
        },
      });
      expect(at(cluster.inputs, "spec.bootstrap.recovery.recoveryTarget.targetTime")).to.equal(
        "2026-12-01T13:00:00Z",
      );
      const archiver = (at(cluster.inputs, "spec.plugins") as Record<string, unknown>[]).find(
        (p) => p.isWALArchiver,
      );
      expect(at(archiver, "parameters.serverName")).to.equal(plan.archiveServerName);
      // The refill reads the copy the plan chose.
      expect(refillOf(restored)).to.include(`dr:${DR.bucketName}/mirror/`);
    });

    it("replica: the new site writes its copy into the surviving region and refills from it", async () => {
      const plan = siteRestorePlan(input({ source: "replica" }));
      const restored = await evaluateStack("prod", overrides(plan.config));
      expect(restored.byType("aws:s3/bucket:Bucket").map((b) => b.inputs.bucket)).to.deep.equal([
        DR.replicaBucketName,
      ]);
      expect(restored.byType("pulumi:providers:aws").map((p) => p.inputs.region)).to.deep.equal([
        DR.replicaRegion,
      ]);
      const mirror = restored.one("kubernetes:batch/v1:CronJob", "harbor-platform-dr-mirror");
      expect(JSON.stringify(mirror.inputs)).to.include(`dr:${DR.replicaBucketName}/mirror/`);
      expect(refillOf(restored)).to.include(`dr:${DR.replicaBucketName}/mirror/`);
    });

    it("state lost: Harbor keeps the old secretKey and admin password, the database its owner password; nothing of them is generated", async () => {
      const plan = siteRestorePlan(input({ state: "lost" }));
      const restored = await evaluateStack("prod", overrides(plan.config, RESTORED));
      const secret = (ns: string, name: string) => secretIn(restored, ns, name);
      const sources = SOURCES;
      for (const [name, s] of Object.entries(sources)) {
        const registered = secret(s.namespace, s.secret);
        expect(at(registered.inputs, `stringData.${s.key}`), name).to.equal(RESTORED[s.configKey]);
        expect(
          registered.secretPaths.some((p) => p === "stringData" || p === `stringData.${s.key}`),
          name,
        ).to.equal(true);
      }
      // Harbor's database client password is the restored owner password too.
      expect(at(secret(PROD.namespace as string, "harbor-database").inputs, "stringData.password")).to.equal(
        RESTORED[RESTORED_SECRET_KEYS.databasePassword],
      );
      const generated = restored.byType("random:index/randomPassword:RandomPassword").map((r) => r.name);
      const baseline = run.byType("random:index/randomPassword:RandomPassword").map((r) => r.name);
      expect(baseline.filter((n) => !generated.includes(n))).to.have.members([
        "harbor-secret-key",
        "harbor-admin-password",
        `${CLUSTER_NAME}-owner-password`,
      ]);
    });

    it("state lost without the restored secrets stops with the key to set", async () => {
      const plan = siteRestorePlan(input({ state: "lost" }));
      let msg = "";
      await evaluateStack("prod", overrides(plan.config)).catch((e: Error) => (msg = e.message));
      expect(msg).to.match(
        /restoredHarborSecretKey = \(unset\): required by restore\.lostState: pulumi config set --secret/,
      );
    });

    it("refuses a secretKey Harbor could not use, and restored secrets without restore.lostState", async () => {
      const plan = siteRestorePlan(input({ state: "lost" }));
      let msg = "";
      await evaluateStack(
        "prod",
        overrides(plan.config, { ...RESTORED, [RESTORED_SECRET_KEYS.harborSecretKey]: "short" }),
      ).catch((e: Error) => (msg = e.message));
      expect(msg).to.match(/restoredHarborSecretKey = \(secret\): exactly 16 characters/);
      msg = "";
      await evaluateStack("prod", overrides([], RESTORED)).catch((e: Error) => (msg = e.message));
      expect(msg).to.match(/only with restore\.lostState: true/);
    });
  });

  describe("lost state: what is adopted, regenerated, recreated", () => {
    it("every resource the prod stack registers has a fate", () => {
      const fates = new Map<string, Set<string>>();
      for (const r of run.resources) {
        const f = fateOf(r);
        fates.set(f, (fates.get(f) ?? new Set()).add(r.type));
      }
      expect([...(fates.get("adopt") ?? [])]).to.have.members([
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:kms/alias:Alias",
        "aws:iam/user:User",
      ]);
      // The replication role is autonamed: a new one is made, the bucket's replication is rewritten to it.
      expect(fates.get("regenerate")).to.include("aws:iam/role:Role");
      expect(fates.get("regenerate")).to.include("aws:iam/accessKey:AccessKey");
    });

    it("imports each adopted type by the property @pulumi/aws documents as its import id", () => {
      for (const [type, rule] of Object.entries(ADOPTED)) {
        // e.g. aws:s3/bucket:Bucket -> node_modules/@pulumi/aws/s3/bucket.d.ts
        const [, mod] = type.split(":");
        const file = path.join(ROOT, "node_modules", "@pulumi", "aws", `${mod}.d.ts`);
        const doc = fs.readFileSync(file, "utf8");
        const m = /Using `pulumi import`, import [^`]*? using the `(\w+)`/.exec(doc);
        expect(m, type).to.not.equal(null);
        const documented = (m as RegExpExecArray)[1];
        expect(rule.idFrom === "aliasLookup" ? "id" : rule.idFrom, type).to.equal(documented);
      }
    });

    it("the import lands every adopted resource on the URN the program registers, with an id", () => {
      const all = asPlanned(run);
      const lookups = keyLookups(all);
      expect(lookups.map((l) => [l.alias, l.region])).to.have.deep.members([
        [`alias/${DR.bucketName}`, REGION],
        [`alias/${DR.replicaBucketName}`, DR.replicaRegion],
      ]);
      const keyIds = Object.fromEntries(lookups.map((l, i) => [l.keyUrn, `key-${i}`]));
      const plan = adoptionPlan(all, keyIds);
      const providers = run.byType("pulumi:providers:aws").map((p) => p.urn);
      expect(plan.createFirst).to.include.members(providers);
      // Providers come after the components they are parented to.
      for (const p of providers) {
        const parent = run.resources.find((r) => r.urn === p)?.parent;
        if (parent && run.resources.some((r) => r.urn === parent)) {
          expect(plan.createFirst.indexOf(parent)).to.be.lessThan(plan.createFirst.indexOf(p));
        }
      }
      // The engine names an imported resource by its type, logical name and parent (the URN's
      // parts): each entry must reproduce the registration's, or `up` would create it again.
      const adopted = all.filter((r) => fateOf(r) === "adopt");
      const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
      const seen = new Map<string, ImportEntry>();
      const resolve = (ref: string) => (seen.has(ref) ? ref : plan.nameTable[ref]);
      for (const e of plan.resources) {
        const registered = byUrn.get(e.name) as Registered;
        expect([e.type, e.logicalName], e.name).to.deep.equal([registered.type, registered.name]);
        if (registered.parent && byUrn.has(registered.parent)) {
          expect(e.parent && resolve(e.parent), `${e.name}: parent`).to.equal(registered.parent);
        }
        if (registered.provider) {
          expect(e.provider && resolve(e.provider), `${e.name}: provider`).to.equal(
            registered.provider.split("::").slice(0, -1).join("::"),
          );
        }
        seen.set(e.name, e);
        if (!e.component) expect(e.id, e.name).to.be.a("string").and.not.equal("");
      }
      expect(plan.resources.filter((e) => !e.component).map((e) => e.name)).to.have.members(
        adopted.map((r) => r.urn),
      );
      const bucket = plan.resources.find((e) => e.type === "aws:s3/bucket:Bucket" && e.id === DR.bucketName);
      expect(bucket?.provider).to.equal(providers.find((p) => p.endsWith("aws-primary")));
    });

    it("leaves the stack itself to the engine, as a preview reports it", () => {
      // A preview also reports the stack resource, parent of the platform component (the mocks do not).
      const root: PlannedResource = {
        urn: "urn:pulumi:prod::harbor-platform::pulumi:pulumi:Stack::harbor-platform-prod",
        type: "pulumi:pulumi:Stack",
        custom: false,
        inputs: {},
      };
      const all = [
        root,
        ...asPlanned(run).map((r) =>
          r.parent === undefined && r.custom === false ? { ...r, parent: root.urn } : r,
        ),
      ];
      const keyIds = Object.fromEntries(keyLookups(all).map((l) => [l.keyUrn, "k"]));
      const plan = adoptionPlan(all, keyIds);
      const platform = run.resources.find(
        (r) => r.type === "harbor-platform:platform:HarborPlatform",
      ) as Registered;
      expect(plan.createFirst[0]).to.equal(platform.urn);
      expect(plan.createFirst).to.not.include(root.urn);
      expect(JSON.stringify(plan.resources)).to.not.include(root.urn);
      expect(Object.keys(plan.nameTable)).to.not.include(root.urn);
    });

    it("skips what the state already has", () => {
      const all = asPlanned(run);
      const keyIds = Object.fromEntries(keyLookups(all).map((l) => [l.keyUrn, "k"]));
      const existing = new Set(
        all.filter((r) => !r.custom || r.type.startsWith("pulumi:providers:")).map((r) => r.urn),
      );
      const plan = adoptionPlan(all, keyIds, { existing });
      expect(plan.createFirst).to.deep.equal([]);
      expect(plan.resources.filter((e) => e.component)).to.deep.equal([]);
    });

    it("after a switch of region, creates the IAM users named after the new DR bucket instead of importing users AWS does not have", async () => {
      const plan = siteRestorePlan(input({ source: "replica", state: "lost" }));
      const switched = asPlanned(await evaluateStack("prod", overrides(plan.config, RESTORED)));
      const users = iamUserResources(switched);
      // The program names them after the new DR bucket; the ones in AWS (fenced, read as) are the old names.
      expect(users.map((u) => u.name)).to.not.include(plan.reader);
      expect(users.map((u) => u.name)).to.include(`${DR.replicaBucketName}-restore`);
      const keyIds = Object.fromEntries(keyLookups(switched).map((l, i) => [l.keyUrn, `key-${i}`]));
      const absent = new Set(users.map((u) => u.urn));
      const adopt = adoptionPlan(switched, keyIds, { absent });
      const imported = new Set(adopt.resources.map((r) => r.name));
      for (const u of users) expect(imported.has(u.urn), u.name).to.equal(false);
      // The rest is adopted as before: the surviving bucket and its key.
      expect(adopt.resources.map((r) => r.type)).to.include.members([
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
      ]);
      expect(adoptionPlan(switched, keyIds).resources.filter((r) => absent.has(r.name))).to.have.length(
        users.length,
      );
    });

    it("refuses to import a resource it has no id for", () => {
      expect(() => adoptionPlan(asPlanned(run), {})).to.throw(/no id to import it by/);
    });

    it("fences the IAM users the stack has and replaces their access keys", () => {
      const all = asPlanned(run);
      expect(iamUsers(all)).to.have.members(
        run.byType("aws:iam/user:User").map((u) => u.inputs.name as string),
      );
      expect(accessKeyUrns(all)).to.have.members(run.byType("aws:iam/accessKey:AccessKey").map((k) => k.urn));
    });

    it("refreshes everything but Harbor's API objects, which answer only after the update", () => {
      const targets = new Set(refreshTargets(asPlanned(run)));
      for (const r of run.resources.filter((x) => x.custom)) {
        expect(targets.has(r.urn), r.type).to.equal(!r.type.startsWith("pulumi-nodejs:dynamic/harbor:"));
      }
    });

    it("drops the AWS part of a state without leaving a dangling reference", () => {
      const deployment: Deployment = {
        version: 3,
        deployment: {
          resources: run.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            custom: r.custom,
            inputs: r.inputs,
            dependencies: r.dependencies,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: `${r.provider}` } : {}),
          })),
        },
      };
      const gone = awsStateUrns(asPlanned(run));
      expect(gone).to.include.members(run.byType("pulumi:providers:aws").map((p) => p.urn));
      const after = dropFromDeployment(deployment, gone).deployment.resources ?? [];
      expect(after.length).to.equal(run.resources.length - gone.length);
      const left = JSON.stringify(after);
      for (const u of gone) expect(left.includes(`"${u}"`), u).to.equal(false);
      // The mirror's credentials Secret stays (it is recreated), without its dependency on the old access key.
      const creds = after.find(
        (r) =>
          r.type === "kubernetes:core/v1:Secret" && at(r.inputs, "metadata.name") === "dr-mirror-credentials",
      );
      expect(creds).to.not.equal(undefined);
      const component = run.resources.find((r) => r.type === "harbor-platform:dr:DrBucket") as Registered;
      expect(() => dropFromDeployment(deployment, [component.urn])).to.throw(/would be dropped/);
    });
  });

  describe("Harbor's secrets from the Velero backup", () => {
    it("are in Secrets the prod stack registers, in namespaces Velero backs up", () => {
      const schedule = run.one("kubernetes:velero.io/v1:Schedule");
      const included = at(schedule.inputs, "spec.template.includedNamespaces") as string[];
      const sources = SOURCES;
      for (const [name, s] of Object.entries(sources)) {
        expect(included, name).to.include(s.namespace);
        const secret = secretIn(run, s.namespace, s.secret);
        expect(secret, name).to.not.equal(undefined);
        expect(Object.keys(at(secret?.inputs, "stringData") as object), name).to.include(s.key);
      }
      // The owner Secret is the one the Cluster bootstraps its owner from.
      const cluster = run.one("kubernetes:postgresql.cnpg.io/v1:Cluster");
      expect(at(cluster.inputs, "spec.bootstrap.initdb.secret.name")).to.equal(
        sources.databasePassword.secret,
      );
    });

    it("are read from either archive layout Velero writes, base64-decoded", () => {
      expect(backupContentsKey("velero", "harbor-20261201000000")).to.equal(
        "velero/backups/harbor-20261201000000/harbor-20261201000000.tar.gz",
      );
      expect(
        isSecretEntry(
          "resources/secrets/namespaces/harbor/harbor-credentials.json",
          "harbor",
          "harbor-credentials",
        ),
      ).to.equal(true);
      expect(
        isSecretEntry(
          "resources/secrets/v1-preferredversion/namespaces/harbor/harbor-credentials.json",
          "harbor",
          "harbor-credentials",
        ),
      ).to.equal(true);
      expect(
        isSecretEntry(
          "resources/secrets/namespaces/harbor/harbor-credentials-x.json",
          "harbor",
          "harbor-credentials",
        ),
      ).to.equal(false);
      const json = JSON.stringify({ data: { secretKey: Buffer.from(SECRET_KEY).toString("base64") } });
      expect(secretValue(json, "secretKey", "harbor/harbor-credentials")).to.equal(SECRET_KEY);
      expect(() => secretValue(json, "HARBOR_ADMIN_PASSWORD", "harbor/harbor-credentials")).to.throw(
        /no key HARBOR_ADMIN_PASSWORD/,
      );
    });

    it("are read from a backup archive unpacked by tar, as Velero lays it out", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-backup-"));
      try {
        const src = path.join(dir, "src");
        const put = (rel: string, data: Record<string, string>) => {
          fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
          const encoded = Object.fromEntries(
            Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
          );
          fs.writeFileSync(
            path.join(src, rel),
            JSON.stringify({ apiVersion: "v1", kind: "Secret", data: encoded }),
          );
        };
        const ns = PROD.namespace as string;
        // Both layouts Velero writes: the plain one and the preferred-version one.
        put(`resources/secrets/v1-preferredversion/namespaces/${ns}/harbor-credentials.json`, {
          secretKey: SECRET_KEY,
          HARBOR_ADMIN_PASSWORD: "old-admin-password",
        });
        put(`resources/secrets/namespaces/${DATABASE_NAMESPACE}/${CLUSTER_NAME}-owner.json`, {
          username: "harbor",
          password: "old-owner-password",
        });
        const archive = path.join(dir, "backup.tar.gz");
        execFileSync("tar", ["-czf", archive, "-C", src, "resources"]);
        const out = path.join(dir, "out");
        fs.mkdirSync(out);
        execFileSync("tar", ["-xzf", archive, "-C", out]);
        expect(readBackedUpSecrets(out, Object.values(SOURCES))).to.deep.equal(RESTORED);
        fs.rmSync(path.join(out, "resources", "secrets", "namespaces"), { recursive: true });
        expect(() => readBackedUpSecrets(out, Object.values(SOURCES))).to.throw(
          `the backup holds no Secret ${DATABASE_NAMESPACE}/${CLUSTER_NAME}-owner`,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("come from the newest completed backup", () => {
      const rec = (name: string, phase: string, t: string) => ({
        metadata: { name },
        status: { phase, completionTimestamp: t },
      });
      expect(
        newestCompleted([
          rec("harbor-a", "Completed", "2026-12-01T06:00:00Z"),
          rec("harbor-b", "PartiallyFailed", "2026-12-01T12:00:00Z"),
          rec("harbor-c", "Completed", "2026-12-01T00:00:00Z"),
        ]),
      ).to.equal("harbor-a");
      expect(() => newestCompleted([rec("harbor-b", "Failed", "2026-12-01T12:00:00Z")])).to.throw(
        /no completed/,
      );
    });
  });

  describe("who reads the copy", () => {
    /** The registered policies that decide whether the plan's reader may read the copy's Velero backups. */
    function readerAndCopy(source: "primary" | "replica") {
      const plan = siteRestorePlan(input({ source, state: "lost" }));
      const user = run.byType("aws:iam/user:User").find((u) => u.inputs.name === plan.reader);
      expect(user, `IAM user ${plan.reader}`).to.not.equal(undefined);
      const userPolicy = run
        .byType("aws:iam/userPolicy:UserPolicy")
        .filter((p) => p.inputs.user === plan.reader);
      const bucket = run
        .byType("aws:s3/bucket:Bucket")
        .find((b) => b.inputs.bucket === plan.copy.bucket) as Registered;
      const alias = run
        .byType("aws:kms/alias:Alias")
        .find((a) => a.inputs.name === `alias/${plan.copy.bucket}`) as Registered;
      const key = run
        .byType("aws:kms/key:Key")
        .find((k) => alias.inputDependencies.includes(k.urn)) as Registered;
      const keyPolicies = run
        .byType("aws:kms/keyPolicy:KeyPolicy")
        .filter((p) => p.inputDependencies.includes(key.urn));
      expect(keyPolicies, plan.copy.bucket).to.have.length(1);
      return {
        plan,
        principal: String(user?.wire.computed.arn),
        bucketArn: String(bucket.wire.computed.arn),
        keyArn: String(key.wire.computed.arn),
        identity: userPolicy.flatMap((p) => statements(p.inputs.policy)),
        bucketPolicy: forBucket(run, "bucketPolicy:BucketPolicy", bucket).flatMap((p) =>
          statements(p.inputs.policy),
        ),
        keyPolicy: statements(keyPolicies[0].inputs.policy),
      };
    }

    for (const source of ["primary", "replica"] as const) {
      it(`from the ${source}: the plan's reader may list and get the Velero backups and decrypt them with the copy's key`, () => {
        const c = readerAndCopy(source);
        // S3 calls KMS as the requester, through S3 in the bucket's region (kms:ViaService).
        const tls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
        const list = {
          action: "s3:ListBucket",
          resource: c.bucketArn,
          principal: c.principal,
          context: { ...tls, "s3:prefix": VELERO_BACKUPS },
        };
        expect(allows(c.identity, list), "ListBucket velero/backups/").to.equal(true);
        expect(denies(c.bucketPolicy, list)).to.equal(false);
        for (const key of [
          backupRecordKey(DR_PREFIXES.velero, "b"),
          backupContentsKey(DR_PREFIXES.velero, "b"),
        ]) {
          const get = {
            action: "s3:GetObject",
            resource: `${c.bucketArn}/${key}`,
            principal: c.principal,
            context: tls,
          };
          expect(allows(c.identity, get), key).to.equal(true);
          expect(denies(c.bucketPolicy, get), key).to.equal(false);
        }
        const decrypt = {
          action: "kms:Decrypt",
          resource: c.keyArn,
          principal: c.principal,
          context: { "kms:ViaService": `s3.${c.plan.copy.region}.amazonaws.com` },
        };
        expect(allows(c.keyPolicy, decrypt), "key policy").to.equal(true);
        expect(allows(c.identity, decrypt), "user policy").to.equal(true);
      });
    }

    it("the script reads the backup with a temporary key of the plan's reader, and with nothing of the operator's", () => {
      const script = fs.readFileSync(path.join(ROOT, "scripts", "site-restore.ts"), "utf8");
      expect(script).to.match(/asUser\(plan\.reader, \(env\) => downloadNewestBackup\(plan\.copy, env\)\)/);
      const env = accessKeyEnv(
        {
          PATH: "/usr/bin",
          AWS_SESSION_TOKEN: "operator",
          AWS_PROFILE: "admin",
          AWS_ACCESS_KEY_ID: "ASIAOPERATOR",
        },
        { AccessKeyId: "AKIARESTORE", SecretAccessKey: "s" },
      );
      expect(env).to.deep.equal({
        PATH: "/usr/bin",
        AWS_ACCESS_KEY_ID: "AKIARESTORE",
        AWS_SECRET_ACCESS_KEY: "s",
      });
    });

    it("the operator's own credentials could not have decrypted it: the key policy gives the account administration only", () => {
      const c = readerAndCopy("primary");
      const root = c.principal.replace(/:user\/.*$/, ":root");
      const decrypt = {
        action: "kms:Decrypt",
        resource: c.keyArn,
        principal: root,
        context: { "kms:ViaService": `s3.${c.plan.copy.region}.amazonaws.com` },
      };
      expect(allows(c.keyPolicy, decrypt)).to.equal(false);
      expect(allows(c.keyPolicy, { ...decrypt, action: "kms:DescribeKey" })).to.equal(true);
    });
  });

  describe("aws CLI calls", () => {
    const copy = { bucket: DR.bucketName, region: REGION };
    // One call of each builder: a builder added without a line here does not compile.
    const calls: Record<keyof typeof awsCli, string[]> = {
      listAccessKeys: awsCli.listAccessKeys("u"),
      getUser: awsCli.getUser("u"),
      deactivateAccessKey: awsCli.deactivateAccessKey("u", "AKIA0"),
      createAccessKey: awsCli.createAccessKey("u"),
      deleteAccessKey: awsCli.deleteAccessKey("u", "AKIA0"),
      describeKey: awsCli.describeKey(REGION, `alias/${DR.bucketName}`),
      listVeleroBackups: awsCli.listVeleroBackups(copy),
      download: awsCli.download(copy, "velero/backups/b/b.tar.gz", "-"),
      list: awsCli.list(copy, "velero/backups/"),
    };

    it("ask for JSON, whatever the operator's CLI defaults to", () => {
      for (const [name, args] of Object.entries(calls)) {
        const at = args.indexOf("--output");
        expect(at, name).to.be.greaterThan(-1);
        expect(args[at + 1], name).to.equal("json");
      }
    });

    it("call operations AWS has, with options of their input (botocore's models of iam, kms and s3)", () => {
      const services = { iam: "iam", kms: "kms", s3api: "s3" } as const;
      const global = ["--region", "--output"];
      for (const [name, args] of Object.entries(calls)) {
        const service = services[args[0] as keyof typeof services];
        if (!service) continue; // `aws s3 cp|ls` are the CLI's own commands, not API operations
        const op = cliOperation(service, args[1]);
        expect(op, `${name}: ${args.slice(0, 2).join(" ")}`).to.not.equal(undefined);
        const options = args.filter((a) => a.startsWith("--") && !global.includes(a));
        expect(op?.options, name).to.include.members(options);
      }
    });

    it("the runbook's prerequisites name the IAM action of every IAM and KMS call the operator's credentials make", async () => {
      const text = fs.readFileSync(path.join(ROOT, "docs", "runbook-site-loss.md"), "utf8");
      const prerequisites = text.slice(text.indexOf("## Before a disaster"), text.indexOf("## Run it"));
      for (const args of Object.values(calls).filter((a) => a[0] === "iam" || a[0] === "kms")) {
        const action = `${args[0]}:${cliOperation(args[0] as "iam" | "kms", args[1])?.operation}`;
        expect(await actionExists(action), action).to.equal(true);
        expect(prerequisites, action).to.include(`\`${action}\``);
      }
    });

    it("the script runs aws only through these builders", () => {
      const script = fs.readFileSync(path.join(ROOT, "scripts", "site-restore.ts"), "utf8");
      expect(script.match(/sh\("aws"/g), 'one sh("aws", …) in the aws helper').to.have.length(1);
      const uses = [...script.matchAll(/\baws\(([^)]*)/g)].map((m) => m[1]);
      expect(uses.length).to.be.greaterThan(5);
      for (const u of uses) expect(u).to.match(/^awsCli\./);
    });
  });

  describe("runbook", () => {
    it("docs/runbook-site-loss.md has one section per step, in the plan's order, titled as the script prints it", () => {
      const text = fs.readFileSync(path.join(ROOT, "docs", "runbook-site-loss.md"), "utf8");
      const headings = [...text.matchAll(/^### \d+\. `([a-z-]+)`: (.+)$/gm)].map((m) => [m[1], m[2]]);
      expect(headings).to.deep.equal(ALL_STEPS.map((id) => [id, stepTitle(id)]));
    });
  });
});
