// The restore drills: their checks run for real (the SQL against Debian's PostgreSQL, the
// blob comparison with Debian's rclone on local folders), and what the prod stack registers
// for them (pinned CRDs, least-privilege RBAC, NetworkPolicies, alerts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { at, evaluateStack, stackConfig, StackSecret, type Registered, type StackRun } from "../harness";
import { customResourceProblems } from "../conformance/crds";
import { expectDefaultDeny, flowPolicies, flowPolicy } from "../reachability/network-policy";
import { upstreamFile } from "../upstream";
import {
  BLOB_DRILL,
  DB_DRILL,
  DRILL_CLUSTER,
  blobDrillScript,
  drillSql,
  drillSteps,
} from "../../components/dr/drill";
import { DRILL_NAMESPACE } from "../../components/platform/prod";
import { HARBOR_SCHEMA_VERSION, images } from "../../versions";
import { pgBin, startPostgres, type LocalPostgres } from "../fakes/postgres";
import { parseDr } from "../config/sections";

const CRONJOB = "kubernetes:batch/v1:CronJob";
const meta = (r: Registered, key: "name" | "namespace") => at(r.inputs, `metadata.${key}`) as string;

// ---- PostgreSQL, for real ------------------------------------------------------------------

// A Harbor-like database: only the tables and columns the drill checks, as Harbor's migrations
// define them (goharbor/harbor make/migrations/postgresql 0001_initial_schema.up.sql,
// 0030_2.0.0_schema.up.sql); schema_migrations as golang-migrate keeps it (one row).
const FIXTURE = `
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL, data_version int);
INSERT INTO schema_migrations VALUES (${HARBOR_SCHEMA_VERSION}, false, 30);
CREATE TABLE harbor_user (user_id SERIAL PRIMARY KEY, username varchar(255) UNIQUE, deleted boolean DEFAULT false NOT NULL);
INSERT INTO harbor_user (username) VALUES ('admin'), ('anonymous');
CREATE TABLE project (project_id SERIAL PRIMARY KEY, owner_id int NOT NULL REFERENCES harbor_user(user_id),
  name varchar(255) NOT NULL UNIQUE, deleted boolean DEFAULT false NOT NULL);
INSERT INTO project (owner_id, name) VALUES (1, 'library'), (1, 'apps');
CREATE TABLE repository (repository_id SERIAL PRIMARY KEY, name varchar(255) NOT NULL UNIQUE, project_id int NOT NULL);
INSERT INTO repository (name, project_id) VALUES ('apps/api', 2), ('apps/web', 2);
CREATE TABLE artifact (id SERIAL PRIMARY KEY, project_id int NOT NULL, repository_id int NOT NULL,
  repository_name varchar(255) NOT NULL, digest varchar(255) NOT NULL, CONSTRAINT unique_artifact UNIQUE (repository_id, digest));
-- A negative repository_id is Harbor's own marker for artifacts it found orphaned in 2.0 (0030_2.0.0).
INSERT INTO artifact (project_id, repository_id, repository_name, digest)
  VALUES (2, 1, 'apps/api', 'sha256:aa'), (2, 2, 'apps/web', 'sha256:bb'), (2, -3, 'gone', 'sha256:cc');
`;

const BROKEN: [string, string, RegExp][] = [
  ["a migration cut off", "UPDATE schema_migrations SET dirty = true;", /version 180 is dirty/],
  [
    "a schema older than the pinned Harbor",
    "UPDATE schema_migrations SET version = 170;",
    /schema version 170 is older than 180/,
  ],
  [
    "two migration rows",
    "INSERT INTO schema_migrations VALUES (181, false, 30);",
    /schema_migrations has 2 rows/,
  ],
  ["no admin", "UPDATE harbor_user SET username = 'root' WHERE user_id = 1;", /the admin user is missing/],
  ["no live project", "UPDATE project SET deleted = true;", /no project/],
  [
    "an artifact of a missing repository",
    "DELETE FROM repository WHERE repository_id = 2;",
    /1 artifacts point to a missing repository/,
  ],
  ["a missing table", "DROP TABLE artifact;", /relation "artifact" does not exist/],
];

describe("restore drill: the database checks on a real PostgreSQL", function () {
  this.timeout(60_000);
  let pg: LocalPostgres;

  before(function () {
    pg = startPostgres("drill-pg-");
    pg.psql(["-c", "CREATE DATABASE registry"]);
    const cases = ["", ...BROKEN.map(([, change]) => change)];
    pg.psql(
      ["-d", "registry"],
      "CREATE EXTENSION amcheck;\n" +
        cases
          .map((change, i) => `CREATE SCHEMA case${i}; SET search_path = case${i};\n${FIXTURE}\n${change}\n`)
          .join(""),
    );
  });

  after(() => pg?.stop());

  /** The drill's own psql command (what its check container runs inside the instance, after `--`) on case `i`. */
  function drill(i: number): { status: number | null; out: string } {
    const check = drillSteps(HARBOR_SCHEMA_VERSION, 3600).find((s) => s.name === "check-harbor-tables");
    const args = (check?.args ?? []).slice((check?.args ?? []).indexOf("--") + 1);
    expect(args[0]).to.equal("psql");
    // Each case is one schema of the `registry` database the command names: cheaper than a database each.
    const res = spawnSync(path.join(pgBin(), "psql"), args.slice(1), {
      encoding: "utf8",
      env: { ...process.env, ...pg.env, PGOPTIONS: `-c search_path=case${i},public` },
    });
    return { status: res.status, out: res.stdout + res.stderr };
  }

  it("passes on a consistent database and reports what it checked, amcheck included", () => {
    const r = drill(0);
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.match(
      new RegExp(
        `restore drill: schema ${HARBOR_SCHEMA_VERSION}, 2 projects, 2 repositories, 3 artifacts, 9 btree indexes intact`,
      ),
    );
  });

  BROKEN.forEach(([what, , message], i) => {
    it(`fails on ${what}`, () => {
      const r = drill(i + 1);
      expect(r.status, r.out).to.not.equal(0);
      expect(r.out).to.match(message);
    });
  });

  // The Harbor image is held to its chart's appVersion in test/image-pins.test.ts.
  it("checks the schema version Harbor v2.15.2 migrates to (pinned beside its image)", () => {
    expect(drillSql(HARBOR_SCHEMA_VERSION)).to.include(`v < ${HARBOR_SCHEMA_VERSION}`);
  });
});

// ---- rclone, for real ----------------------------------------------------------------------

describe("restore drill: registry blobs against their DR copy, with the real rclone", function () {
  this.timeout(60_000);
  let dir: string;
  const REG = "harbor-registry";
  const DR = "harbor-dr";
  const old = new Date(Date.now() - 2 * 86_400_000);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "blob-drill-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function blob(root: string, digest: string, content: string, mtime = old): void {
    const p = path.join(dir, root, "docker/registry/v2/blobs/sha256", digest.slice(0, 2), digest, "data");
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    fs.utimesSync(p, mtime, mtime);
  }
  const both = (digest: string, content: string) => {
    blob(REG, digest, content);
    blob(`${DR}/mirror/${REG}`, digest, content);
  };

  function run(sample = 10): { status: number | null; out: string } {
    const script = blobDrillScript({ registryBucket: REG, drBucket: DR, sample, minAgeMinutes: 60 });
    const res = spawnSync("/bin/sh", ["-c", script], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        HOME: dir,
        RCLONE_CONFIG: path.join(dir, "rclone.conf"),
        // The pod's S3 remotes, as local folders.
        RCLONE_CONFIG_MINIO_TYPE: "local",
        RCLONE_CONFIG_DR_TYPE: "local",
      },
    });
    return { status: res.status, out: res.stdout + res.stderr };
  }

  it("passes when the sampled blobs match byte for byte, and only samples as many as asked", () => {
    for (let i = 0; i < 6; i++) both(`${i}`.repeat(64), `layer ${i}`);
    const r = run(4);
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include("compared 4 of 6 blobs: 0 differ, 0 missing from the DR copy, 0 unreadable");
  });

  it("fails when a blob's DR copy differs", () => {
    both("a".repeat(64), "layer a");
    blob(REG, "b".repeat(64), "layer b");
    blob(`${DR}/mirror/${REG}`, "b".repeat(64), "layer B");
    const r = run();
    expect(r.status, r.out).to.not.equal(0);
    expect(r.out).to.include("1 differ");
  });

  it("fails when a blob old enough to be mirrored is missing from the DR copy", () => {
    both("a".repeat(64), "layer a");
    blob(REG, "c".repeat(64), "layer c");
    const r = run();
    expect(r.status, r.out).to.not.equal(0);
    expect(r.out).to.include("1 missing from the DR copy");
  });

  it("leaves out blobs younger than the mirror can have copied, and what is not a blob", () => {
    both("a".repeat(64), "layer a");
    blob(REG, "d".repeat(64), "just pushed", new Date());
    fs.mkdirSync(path.join(dir, REG, "docker/registry/v2/repositories/apps"), { recursive: true });
    fs.writeFileSync(path.join(dir, REG, "docker/registry/v2/repositories/apps/link"), "x");
    fs.utimesSync(path.join(dir, REG, "docker/registry/v2/repositories/apps/link"), old, old);
    const r = run();
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include("compared 1 of 1 blobs");
  });

  it("passes on an empty registry: nothing to lose", () => {
    fs.mkdirSync(path.join(dir, REG), { recursive: true });
    const r = run();
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include("no blob older than 60m");
  });
});

// ---- what the prod stack registers ------------------------------------------------------------

describe("restore drill on the prod stack", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  const cronJob = (r: StackRun, name: string) =>
    r.byType(CRONJOB).find((c) => meta(c, "name") === name) as Registered;
  const scratch = (r: StackRun) => {
    const cm = r
      .byType("kubernetes:core/v1:ConfigMap")
      .find((c) => meta(c, "namespace") === DRILL_NAMESPACE && meta(c, "name") === DB_DRILL) as Registered;
    return (
      JSON.parse((at(cm.inputs, "data") as Record<string, string>)["scratch.json"]) as {
        items: Record<string, unknown>[];
      }
    ).items;
  };

  it("creates a restricted namespace for the drill", () => {
    const ns = run.byType("kubernetes:core/v1:Namespace").find((n) => meta(n, "name") === DRILL_NAMESPACE);
    expect(at(ns?.inputs, "metadata.labels")).to.include({
      "pod-security.kubernetes.io/enforce": "restricted",
    });
  });

  it("restores into a scratch Cluster and ObjectStore that conform to the pinned CRDs, never archiving", () => {
    const items = scratch(run);
    for (const item of items) expect(customResourceProblems(item)).to.deep.equal([]);
    const cluster = items.find((i) => i.kind === "Cluster") as Record<string, unknown>;
    const store = items.find((i) => i.kind === "ObjectStore") as Record<string, unknown>;
    expect(at(cluster, "metadata.name")).to.equal(DRILL_CLUSTER);
    expect(at(cluster, "spec")).to.not.have.property("plugins");
    expect(at(cluster, "spec")).to.not.have.property("backup");
    expect(at(cluster, "spec.externalClusters")).to.deep.equal([
      {
        name: "dr-origin",
        plugin: {
          name: "barman-cloud.cloudnative-pg.io",
          parameters: { barmanObjectName: at(store, "metadata.name"), serverName: "harbor-pg" },
        },
      },
    ]);
    // Its own ObjectStore reading production's archive: the same bucket and endpoint as production's.
    const prodStore = run.one("kubernetes:barmancloud.cnpg.io/v1:ObjectStore");
    expect(at(store, "spec.configuration.destinationPath")).to.equal(
      at(prodStore.inputs, "spec.configuration.destinationPath"),
    );
    expect(at(store, "spec.configuration.endpointURL")).to.equal(
      at(prodStore.inputs, "spec.configuration.endpointURL"),
    );
    expect(at(store, "spec")).to.not.have.property("retentionPolicy");
  });

  it("reads the archive with a MinIO user that may only read the backups bucket", () => {
    const store = scratch(run).find((i) => i.kind === "ObjectStore") as Record<string, unknown>;
    const secretName = at(store, "spec.configuration.s3Credentials.accessKeyId.name") as string;
    const secret = run
      .byType("kubernetes:core/v1:Secret")
      .find((s) => meta(s, "namespace") === DRILL_NAMESPACE && meta(s, "name") === secretName) as Registered;
    const accessKey = at(
      secret.inputs,
      `stringData.${at(store, "spec.configuration.s3Credentials.accessKeyId.key")}`,
    );
    const minio = run
      .byType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.chart === "minio") as Registered;
    const user = (at(minio.inputs, "values.users") as { accessKey: string; policy: string }[]).find(
      (u) => u.accessKey === accessKey,
    );
    const policy = (
      at(minio.inputs, "values.policies") as {
        name: string;
        statements: { actions: string[]; resources: string[] }[];
      }[]
    ).find((p) => p.name === user?.policy);
    const backups =
      (stackConfig("prod").objectStore as { buckets?: { backups?: string } } | undefined)?.buckets?.backups ??
      "harbor-db-backups";
    const actions = policy?.statements.flatMap((s) => s.actions) ?? [];
    expect(actions).to.have.length.greaterThan(0);
    expect(
      actions.every((a) => /^s3:(Get|List)/.test(a)),
      actions.join(),
    ).to.equal(true);
    expect(policy?.statements.flatMap((s) => s.resources)).to.have.members([
      `arn:aws:s3:::${backups}`,
      `arn:aws:s3:::${backups}/*`,
    ]);
  });

  it("after a restore, drills the archive the restored cluster writes", async () => {
    const dr = stackConfig("prod").dr as { bucketName: string };
    // The same restore switch as test/dr/prod-stack.test.ts (the evaluation is shared).
    const restored = await evaluateStack("prod", {
      restore: {
        enabled: true,
        source: { bucket: dr.bucketName, region: stackConfig("prod")["aws:region"], serverName: "harbor-pg" },
        targetTime: "2026-03-01T10:30:00Z",
      },
    });
    const cluster = scratch(restored).find((i) => i.kind === "Cluster");
    expect(
      at((at(cluster, "spec.externalClusters") as unknown[])[0], "plugin.parameters.serverName"),
    ).to.equal("harbor-pg-restored");
  });

  it("runs kubectl only, without a shell, with the image Velero's chart uses for kubectl", () => {
    const values = parseYaml(fs.readFileSync(upstreamFile("velero-chart", "values.yaml"), "utf8")) as {
      kubectl: { image: { repository: string } };
    };
    expect(images.kubectl.repository).to.equal(values.kubectl.image.repository);
    const spec = at(cronJob(run, DB_DRILL).inputs, "spec.jobTemplate.spec.template.spec") as {
      initContainers: { name: string; image: string; command: string[] }[];
      containers: { name: string; image: string; command: string[] }[];
      serviceAccountName: string;
    };
    const all = [...spec.initContainers, ...spec.containers];
    expect(all.map((c) => c.name)).to.deep.equal([
      "remove-leftovers",
      "create-scratch",
      "wait-restored",
      "check-harbor-tables",
      "remove-scratch",
    ]);
    for (const c of all)
      expect([c.image, c.command]).to.deep.equal([
        `${images.kubectl.repository}:${images.kubectl.tag}`,
        ["kubectl"],
      ]);
    expect(at(cronJob(run, DB_DRILL).inputs, "spec.jobTemplate.spec.backoffLimit")).to.equal(0);
  });

  it("may manage only the scratch resources in its own namespace", () => {
    const spec = at(cronJob(run, DB_DRILL).inputs, "spec.jobTemplate.spec.template.spec") as {
      serviceAccountName: string;
    };
    const binding = run.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
    expect(at(binding.inputs, "subjects")).to.deep.equal([
      { kind: "ServiceAccount", name: spec.serviceAccountName, namespace: DRILL_NAMESPACE },
    ]);
    const role = run.one("kubernetes:rbac.authorization.k8s.io/v1:Role");
    expect(meta(role, "namespace")).to.equal(DRILL_NAMESPACE);
    expect(at(binding.inputs, "roleRef.name")).to.equal(meta(role, "name"));
    expect(run.resources.filter((r) => r.type.includes("ClusterRole"))).to.deep.equal([]);
    const rules = at(role.inputs, "rules") as {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    }[];
    const resources = rules.flatMap((r) => r.resources);
    expect(resources).to.have.members(["clusters", "objectstores", "pods", "pods/exec"]);
    for (const r of rules.filter((x) => x.resources.some((res) => res.startsWith("pods")))) {
      expect(r.resourceNames).to.deep.equal([`${DRILL_CLUSTER}-1`]);
    }
    expect(rules.flatMap((r) => r.verbs)).to.not.include("*");
  });

  it("allows exactly the drill's flows: API server, the operator to the scratch pods, the scratch pods to MinIO", () => {
    expectDefaultDeny(run, DRILL_NAMESPACE);
    expect([...flowPolicies(run, DRILL_NAMESPACE).keys()]).to.have.members([
      "dns",
      "kube-api",
      "from-operator",
      "to-object-store",
    ]);
    const peerNamespaces = (ns: string, flow: string) => JSON.stringify(flowPolicy(run, ns, flow).spec);
    expect(peerNamespaces("cnpg-system", "to-instances"))
      .to.include(DRILL_NAMESPACE)
      .and.include(DRILL_CLUSTER);
    expect(peerNamespaces("minio", "from-clients")).to.include(DRILL_NAMESPACE).and.include(DRILL_CLUSTER);
    expect(peerNamespaces("minio", "dr-blob-drill-from-aws-s3")).to.include(BLOB_DRILL);
  });

  it("samples blobs in MinIO's namespace with the mirror's read-only MinIO user", () => {
    const job = cronJob(run, BLOB_DRILL);
    expect(meta(job, "namespace")).to.equal("minio");
    const container = (
      at(job.inputs, "spec.jobTemplate.spec.template.spec.containers") as Record<string, unknown>[]
    )[0];
    const env = container.env as {
      name: string;
      valueFrom?: unknown;
    }[];
    const key = env.find((e) => e.name === "RCLONE_CONFIG_MINIO_ACCESS_KEY_ID");
    expect(JSON.stringify(key?.valueFrom)).to.include("minio-user-mirror");
    const cmd = container.command as string[];
    expect(cmd[2]).to.include("rclone check").and.include("--download");
  });

  it("alerts on a failed drill and on no success within schedule plus deadline", () => {
    const rule = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    const group = (
      at(rule.inputs, "spec.groups") as { name: string; rules: { alert: string; expr: string }[] }[]
    ).find((g) => g.name === "harbor-platform.dr-drills");
    expect(group?.rules.map((r) => r.alert)).to.deep.equal(["DrRestoreDrillFailed", "DrRestoreDrillStale"]);
    for (const r of group?.rules ?? []) {
      expect(r.expr).to.include(DB_DRILL).and.include(BLOB_DRILL).and.include(DRILL_NAMESPACE);
    }
    // Daily schedule (1440 min) plus the 4 h deadline.
    expect(group?.rules[1].expr).to.include(`> ${1440 * 60 + 4 * 3600}`);
  });

  it("stays out of a stack without MinIO: there is no archive copy in the cluster to drill", async () => {
    // The same external store as test/prod.test.ts (the evaluation is shared).
    const external = await evaluateStack("prod", {
      objectStore: { mode: "external", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
      objectStoreAccessKey: new StackSecret("AKIAEXAMPLE"),
      objectStoreSecretKey: new StackSecret("example-secret"),
    });
    expect(external.byType(CRONJOB).map((c) => meta(c, "name"))).to.not.include.members([
      DB_DRILL,
      BLOB_DRILL,
    ]);
    expect(external.byType("kubernetes:core/v1:Namespace").map((n) => meta(n, "name"))).to.not.include(
      DRILL_NAMESPACE,
    );
  });
});

describe("restore drill config", () => {
  const dr = stackConfig("prod").dr as Record<string, unknown>;
  const parse = (extra: Record<string, unknown>) =>
    parseDr(
      { ...stackConfig("prod"), dr: { ...dr, ...extra } },
      "prod",
      stackConfig("prod")["aws:region"] as string,
    );

  it("runs daily by default and samples 20 blobs", () => {
    expect(parse({})?.drill).to.deep.equal({ schedule: "30 4 * * *", intervalMinutes: 1440, blobSample: 20 });
  });

  it("refuses a schedule it cannot read and a sample out of range", () => {
    expect(() => parse({ drillSchedule: "@every 1h" })).to.throw(
      /dr\.drillSchedule = "@every 1h": a cron schedule/,
    );
    expect(() => parse({ drillBlobSample: 0 })).to.throw(/dr\.drillBlobSample = 0/);
  });
});
