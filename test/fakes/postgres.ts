// A throwaway PostgreSQL for tests that run SQL or PostgreSQL's tools for real: Debian's server
// binaries, a data folder in a temp folder, trust auth, listening on a Unix socket there only (no
// TCP port to collide with). `.ci/run` and scripts/setup.sh install the package.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Debian's PostgreSQL server binaries (the newest installed major). */
export function pgBin(): string {
  const root = "/usr/lib/postgresql";
  const version = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return path.join(root, version, "bin");
}

/** initdb refuses root: run the server tools as the package's postgres user then. */
export function asPostgres(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const argv = process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  return spawnSync(argv[0] as string, argv[1] as string[], {
    encoding: "utf8",
    input: opts.input,
    env: { ...process.env, ...opts.env },
  });
}

export interface LocalPostgres {
  /** The temp folder: socket, data, log. Anyone may write to it (the server runs as postgres). */
  readonly dir: string;
  /** libpq's environment for it: PGHOST (the socket folder), PGUSER postgres, PGDATABASE postgres. */
  readonly env: NodeJS.ProcessEnv;
  /** psql with ON_ERROR_STOP; throws with its stderr on failure. */
  psql(args: string[], input?: string): string;
  stop(): void;
}

export function startPostgres(prefix: string): LocalPostgres {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const bin = pgBin();
  const init = asPostgres(path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
  ]);
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const ctl = path.join(bin, "pg_ctl");
  const start = asPostgres(ctl, [
    "-D",
    data,
    "-w",
    "-l",
    path.join(dir, "log"),
    "-o",
    `-k ${dir} -c listen_addresses='' -c fsync=off`,
    "start",
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start: ${start.stderr}${start.stdout}`);
  const env = { PGHOST: dir, PGUSER: "postgres", PGDATABASE: "postgres" };
  return {
    dir,
    env,
    psql(args, input) {
      const res = spawnSync(path.join(bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...args], {
        encoding: "utf8",
        input,
        env: { ...process.env, ...env },
      });
      if (res.status !== 0) throw new Error(`psql ${args.join(" ")}: ${res.stderr}`);
      return res.stdout;
    },
    stop() {
      asPostgres(ctl, ["-D", data, "-m", "immediate", "stop"]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
