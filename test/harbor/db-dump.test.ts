// Dev's pre-upgrade copy of Harbor's internal database: the Job's own script (db-dump.sh, as the
// stack's Job passes it to bash) run for real with Debian's PostgreSQL and its pg_dump.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { at, evaluateStack } from "../harness";
import { pgBin, startPostgres, type LocalPostgres } from "../fakes/postgres";

describe("dev's pre-upgrade database dump, run for real", function () {
  this.timeout(60_000);
  let pg: LocalPostgres;
  let script: string;
  let dumps: string;

  before(async () => {
    const run = await evaluateStack("dev");
    const job = run
      .byType("kubernetes:batch/v1:Job")
      .find((j) => String(at(j.inputs, "metadata.name")).startsWith("harbor-db-dump-"));
    const command = (at(job?.inputs, "spec.template.spec.containers") as { command: string[] }[])[0].command;
    expect(command.slice(0, 2)).to.deep.equal(["/bin/bash", "-c"]);
    script = command[2];
    pg = startPostgres("harbor-dump-pg-");
    pg.psql(["-c", "CREATE DATABASE registry"]);
    pg.psql(
      ["-d", "registry"],
      "CREATE TABLE project (project_id serial PRIMARY KEY, name text UNIQUE);" +
        "INSERT INTO project (name) VALUES ('library'), ('apps');",
    );
  });
  after(() => pg?.stop());
  beforeEach(() => {
    dumps = fs.mkdtempSync(path.join(os.tmpdir(), "harbor-dumps-"));
  });
  afterEach(() => fs.rmSync(dumps, { recursive: true, force: true }));

  function dump(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
    const res = spawnSync("/bin/bash", ["-c", script], {
      encoding: "utf8",
      env: {
        PATH: `${pgBin()}:${process.env.PATH}`,
        PGUSER: "postgres",
        PGPORT: "5432",
        PGDATABASE: "registry",
        DUMP_DIR: dumps,
        TARGET: "1.19.4",
        ...env,
      },
    });
    return { status: res.status, out: res.stdout + res.stderr };
  }

  it("copies the database to a dump pg_restore reads back, named after the target version", () => {
    const r = dump({ PGHOST: pg.dir, PGPASSWORD: "from-the-chart-secret" });
    expect(r.status, r.out).to.equal(0);
    const files = fs.readdirSync(dumps);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/^registry-before-1\.19\.4-\d{8}T\d{6}Z\.dump$/);
    // The way back: restore it into a fresh database and find the data.
    pg.psql(["-c", "CREATE DATABASE restored"]);
    const restore = spawnSync(
      path.join(pgBin(), "pg_restore"),
      ["--dbname=restored", path.join(dumps, files[0])],
      {
        encoding: "utf8",
        env: { ...process.env, ...pg.env },
      },
    );
    expect(restore.status, restore.stderr).to.equal(0);
    expect(
      pg
        .psql(["-d", "restored", "-At", "-c", "SELECT string_agg(name, ',' ORDER BY name) FROM project"])
        .trim(),
    ).to.equal("apps,library");
  });

  it("on a first install (the chart's Secret not there yet) copies nothing and succeeds", () => {
    const r = dump({ PGHOST: "harbor-database", PGPASSWORD: "" });
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include("no harbor-database Secret: Harbor is not installed yet, nothing to copy");
    expect(fs.readdirSync(dumps)).to.deep.equal([]);
  });

  it("fails, leaving no dump that looks complete, when the installed database does not answer", () => {
    const r = dump({ PGHOST: path.join(pg.dir, "nowhere"), PGPASSWORD: "from-the-chart-secret" });
    expect(r.status, r.out).to.not.equal(0);
    expect(fs.readdirSync(dumps).filter((f) => f.endsWith(".dump"))).to.deep.equal([]);
  });
});
