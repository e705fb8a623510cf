// The mirror's script as the prod stack registers it, run for real: bash and Debian's rclone
// (1.60 in bookworm; the pod runs rclone 1.75.0) with both remotes turned into local folders by
// overriding RCLONE_CONFIG_<NAME>_TYPE (the DR remote an alias of its own folder), so the
// script's remote names, paths and flags are the ones the CronJob runs. What cannot run here
// (S3 versions, the Job controller) is checked on the registered objects.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { at, evaluateStack, stackConfig, type StackRun } from "../harness";
import { type DrConfig } from "../../config/dr";
import { MAX_DELETE_ERROR, approvalId, mirrorScript, mirrorSettings } from "../../components/dr/mirror";
import { ROOT_CREDENTIALS } from "../../components/object-store";
import { LocalSite, podScript, rclone, requireRclone, type PodScript } from "./rclone-cli";
import { parseDr } from "../config/sections";

const CRONJOB = "kubernetes:batch/v1:CronJob";
const PROD = stackConfig("prod");
const DR = PROD.dr as Record<string, unknown> & { bucketName: string };

interface Container {
  name: string;
  command: string[];
  env: { name: string; value?: unknown }[];
}

function container(r: { inputs: Record<string, unknown> }, podPath: string): Container {
  return (at(r.inputs, `${podPath}.containers`) as Container[])[0];
}

/** The mirror as registered: its script, env, buckets (from the MinIO release) and Job policy. */
interface Mirror extends PodScript {
  container: string;
  jobSpec: Record<string, unknown>;
  registry: string;
  backups: string;
}

function mirrorOf(run: StackRun): Mirror {
  const cron = run.one(CRONJOB, "harbor-platform-dr-mirror");
  const c = container(cron, "spec.jobTemplate.spec.template.spec");
  expect(c.command.slice(0, 2)).to.deep.equal(["/bin/sh", "-c"]);
  const release = run.byType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "minio");
  const buckets = (at(release?.inputs.values, "buckets") as { name: string }[]).map((b) => b.name);
  const backups = buckets.find((b) => b.includes("backup")) as string;
  const registry = buckets.find((b) => b !== backups) as string;
  expect(buckets).to.have.length(2);
  return {
    ...podScript(c),
    container: c.name,
    jobSpec: at(cron.inputs, "spec.jobTemplate.spec") as Record<string, unknown>,
    registry,
    backups,
  };
}

/** The scratch site of the mirror's tests: its DR folder is the prod DR bucket's. */
class Site extends LocalSite {
  constructor(
    private readonly m: Mirror,
    from?: Site,
  ) {
    super(from);
  }
  dr(bucket: string): string {
    return super.dr(DR.bucketName, bucket);
  }
  /** One CronJob run (bash unless the registered shell is asked for). */
  run(m: PodScript = this.m, shell = "bash"): { status: number | null; log: string } {
    return super.run(m, shell);
  }
}

const blobs = (n: number, from = 0) =>
  Array.from(
    { length: n },
    (_, i) => `docker/registry/v2/blobs/sha256/${String(i + from).padStart(4, "0")}/data`,
  );
const wals = (n: number, from = 0) =>
  Array.from(
    { length: n },
    (_, i) => `harbor-pg/wals/0000000100000000/${String(i + from).padStart(24, "0")}`,
  );
const UPLOAD = "docker/registry/v2/repositories/library/app/_uploads/3f2a/data";

describe("DR mirror script, run for real (bash + Debian's rclone, local folders)", function () {
  let mirror: Mirror;
  let site: Site;
  let exitHeld: number;
  /** A site whose DR copy holds 120 registry objects and 20 WAL segments, mirrored once. */
  let base: Site;

  before(async () => {
    requireRclone();
    mirror = mirrorOf(await evaluateStack("prod"));
    // The Job fails without a retry on exactly the exit code the script uses for a held bucket.
    const rules = at(mirror.jobSpec, "podFailurePolicy.rules") as {
      action: string;
      onExitCodes?: { containerName: string; operator: string; values: number[] };
    }[];
    const failJob = rules.filter((r) => r.action === "FailJob");
    expect(failJob).to.have.length(1);
    expect(failJob[0].onExitCodes?.containerName).to.equal(mirror.container);
    expect(failJob[0].onExitCodes?.operator).to.equal("In");
    exitHeld = (failJob[0].onExitCodes?.values ?? [])[0];
    expect(exitHeld).to.be.a("number").and.not.equal(0);

    base = new Site(mirror);
    base.put(base.minio(mirror.registry), [...blobs(120), UPLOAD]);
    base.put(base.minio(mirror.backups), wals(20));
    const first = base.run();
    expect(first.status, first.log).to.equal(0);
  });

  const mirrored = () => new Site(mirror, base);

  afterEach(() => site?.dispose());
  after(() => base?.dispose());

  it("mirrors both buckets into the DR bucket's mirror/ prefix and leaves in-flight uploads out", () => {
    expect(base.list(base.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
    expect(base.list(base.dr(mirror.backups))).to.deep.equal(wals(20).sort());
    expect(base.list(base.minio(mirror.registry))).to.include(UPLOAD);
  });

  it("an emptied MinIO: the registry copy stays whole, the refusal is the Job's exit code, WAL still flows, and the next run holds again", () => {
    site = mirrored();
    fs.rmSync(site.minio(mirror.registry), { recursive: true });
    fs.mkdirSync(site.minio(mirror.registry));
    site.put(site.minio(mirror.backups), wals(2, 20));
    const held = site.run();
    expect(held.status, held.log).to.equal(exitHeld);
    expect(held.log).to.match(new RegExp(`dr-mirror: ${mirror.registry}: HELD`));
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
    expect(site.list(site.dr(mirror.backups))).to.deep.equal(wals(22).sort());

    site.put(site.minio(mirror.backups), wals(1, 22));
    const again = site.run(mirror, mirror.shell);
    expect(again.status, again.log).to.equal(exitHeld);
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
    expect(site.list(site.dr(mirror.backups))).to.deep.equal(wals(23).sort());
  });

  it("a shrunken MinIO above the bound holds the whole bucket: no deletes, no new copies", () => {
    site = mirrored();
    site.remove(site.minio(mirror.registry), blobs(60));
    site.put(site.minio(mirror.registry), blobs(1, 900));
    const held = site.run();
    expect(held.status, held.log).to.equal(exitHeld);
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
  });

  it("ordinary GC and backup retention (a few deletes) propagate", () => {
    site = mirrored();
    site.remove(site.minio(mirror.registry), blobs(5));
    site.remove(site.minio(mirror.backups), wals(3));
    site.put(site.minio(mirror.registry), blobs(2, 900));
    const run = site.run();
    expect(run.status, run.log).to.equal(0);
    expect(site.list(site.dr(mirror.registry))).to.deep.equal([...blobs(115, 5), ...blobs(2, 900)].sort());
    expect(site.list(site.dr(mirror.backups))).to.deep.equal(wals(17, 3).sort());
  });

  it("a dry run that fails for another reason is an error, not a hold: rclone exits 7 on every fatal error", () => {
    site = mirrored();
    site.remove(site.minio(mirror.registry), blobs(60));
    // --max-duration reached is another of rclone's fatal errors (fs/sync/sync.go
    // errorMaxDurationReached, 1.60.1 and 1.75.0), like a refused key on S3: exit 7, not the
    // max-delete text. Checked here first, so the case below cannot pass vacuously.
    const fatal = { RCLONE_MAX_DURATION: "1ns" };
    const probe = rclone(
      ["sync", "--dry-run", "--max-delete", "1000", site.minio(mirror.registry), site.dr(mirror.registry)],
      fatal,
    );
    expect(probe.status, probe.stderr).to.equal(7);
    expect(probe.stderr).to.not.include(MAX_DELETE_ERROR);

    const run = site.run({ ...mirror, env: { ...mirror.env, ...fatal } });
    expect(run.status, run.log).to.not.be.oneOf([0, exitHeld]);
    expect(run.log).to.not.match(/HELD/);
    expect(run.log).to.include(`dr-mirror: ${mirror.registry}: the dry run failed`);
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
  });

  it("a hold is recognised by rclone's own max-delete error text", () => {
    site = mirrored();
    site.remove(site.minio(mirror.registry), blobs(60));
    const dryRun = rclone([
      "sync",
      "--dry-run",
      "--max-delete",
      "1",
      site.minio(mirror.registry),
      site.dr(mirror.registry),
    ]);
    expect(dryRun.status).to.equal(7);
    expect(dryRun.stderr).to.include(MAX_DELETE_ERROR);
  });

  /**
   * The script for other DR config, from the same config parser and builders the stack uses (a
   * whole prod evaluation takes seconds); the first test holds them to the registered script.
   */
  function withDr(dr: Record<string, unknown>): Mirror {
    const config = parseDr(
      { ...PROD, dr: { ...DR, ...dr } },
      "prod",
      PROD["aws:region"] as string,
    ) as DrConfig;
    const buckets = { registry: mirror.registry, backups: mirror.backups };
    const settings = mirrorSettings(config, ROOT_CREDENTIALS);
    return { ...mirror, script: mirrorScript(buckets, config.bucket.bucketName, settings.deletes) };
  }
  const inAnHour = () => new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");

  it("is the script the config builds (what the approval cases below run)", () => {
    expect(withDr({}).script).to.equal(mirror.script);
    expect(
      withDr({ approveDeletes: { bucket: mirror.registry, count: 5, until: inAnHour() } }).script,
    ).to.not.equal(mirror.script);
  });

  it("an approval lets one run through, once, up to its count", () => {
    const approval = { bucket: mirror.registry, count: 100, until: inAnHour() };
    const approved = withDr({ approveDeletes: approval });
    site = mirrored();

    site.remove(site.minio(mirror.registry), blobs(60));
    const first = site.run(approved);
    expect(first.status, first.log).to.equal(0);
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(60, 60).sort());
    // Recorded in the DR bucket, which outlives the pod: the next run's pod sees it used.
    expect(site.list(path.join(site.drRoot, DR.bucketName, "mirror", ".approvals"))).to.deep.equal([
      approvalId(approval),
    ]);
    expect(fs.existsSync(path.join(site.root, DR.bucketName)), "an approval outside the DR remote").to.equal(
      false,
    );

    site.remove(site.minio(mirror.registry), blobs(55, 60));
    const second = site.run(approved);
    expect(second.status, second.log).to.equal(exitHeld);
    expect(second.log).to.include("was used already");
    expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(60, 60).sort());
  });

  it("an approval does not cover more than its count, another bucket, or a time after it lapsed", () => {
    site = mirrored();
    site.remove(site.minio(mirror.registry), blobs(100));
    const cases = [
      { bucket: mirror.registry, count: 99, until: inAnHour() },
      { bucket: mirror.backups, count: 1000, until: inAnHour() },
      { bucket: mirror.registry, count: 1000, until: "2020-01-01T00:00:00Z" },
    ];
    for (const approveDeletes of cases) {
      const run = site.run(withDr({ approveDeletes }));
      expect(run.status, `${JSON.stringify(approveDeletes)}\n${run.log}`).to.equal(exitHeld);
      expect(site.list(site.dr(mirror.registry))).to.deep.equal(blobs(120).sort());
    }
  });
});

describe("DR mirror CronJob and refill config (prod stack)", () => {
  it("never retries a run inside its Job, and a drained node is not a failed run", async () => {
    const spec = at(
      (await evaluateStack("prod")).one(CRONJOB, "harbor-platform-dr-mirror").inputs,
      "spec.jobTemplate.spec",
    ) as Record<string, unknown>;
    expect(spec.backoffLimit).to.equal(0);
    expect(at(spec, "template.spec.restartPolicy")).to.equal("Never");
    const rules = at(spec, "podFailurePolicy.rules") as { action: string; onPodConditions?: unknown }[];
    expect(rules.find((r) => r.action === "Ignore")?.onPodConditions).to.deep.equal([
      { type: "DisruptionTarget", status: "True" },
    ]);
  });

  it("refuses a version time rclone would read as local time, with one line naming key, value and form", () => {
    for (const bad of ["2026-03-01T10:30:00", "2026-03-01T11:30:00+01:00", "2026-03-01"]) {
      const restore = {
        enabled: true,
        source: { bucket: DR.bucketName, region: PROD["aws:region"], serverName: "harbor-pg" },
        mirrorVersionAt: bad,
      };
      let message = "";
      try {
        parseDr({ ...PROD, restore }, "prod", PROD["aws:region"] as string);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.equal(
        `harbor-platform:restore.mirrorVersionAt = "${bad}": an RFC 3339 time in UTC with a Z, like 2026-03-01T10:30:00Z`,
      );
    }
  });
});
