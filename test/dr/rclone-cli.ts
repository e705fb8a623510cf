// Debian's rclone (1.60 in bookworm), the real binary the DR tests run, and a scratch site where
// the scripts the stack registers run against local folders. Missing rclone is a failure with
// the one line that fixes it, never a skip: CI installs it (.ci/run).
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function requireRclone(): void {
  const probe = spawnSync("rclone", ["version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "rclone is not installed: apt-get install -y rclone (Debian's package; .ci/run installs it)",
    );
  }
}

/** Runs rclone with no config file (remotes come from the env, as in the pods). */
export function rclone(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync("rclone", [...args], {
    encoding: "utf8",
    env: { ...process.env, RCLONE_CONFIG: "/nonexistent/rclone.conf", ...env },
  });
}

/** A registered rclone pod's shell command: interpreter, script and its plain env values. */
export interface PodScript {
  readonly shell: string;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
}

export function podScript(container: {
  command: string[];
  env: { name: string; value?: unknown }[];
}): PodScript {
  if (container.command.length !== 3 || container.command[1] !== "-c") {
    throw new Error(`not a shell -c command: ${JSON.stringify(container.command)}`);
  }
  return {
    shell: container.command[0],
    script: container.command[2],
    // Keys from Secrets (valueFrom) do not exist here; local remotes need none.
    env: Object.fromEntries(
      container.env.filter((e) => typeof e.value === "string").map((e) => [e.name, e.value as string]),
    ),
  };
}

/**
 * A scratch site: MinIO's buckets as folders in one directory, the working directory of each
 * run, so `minio:<bucket>` resolves into it once the remote is local
 * (RCLONE_CONFIG_<NAME>_TYPE=local); the DR remote is an alias of its `aws/` folder.
 */
export class LocalSite {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "dr-site-"));
  /** An empty site, or a copy of `from`'s folders. */
  constructor(from?: LocalSite) {
    if (from) fs.cpSync(from.root, this.root, { recursive: true });
    else fs.writeFileSync(path.join(this.root, "ca.crt"), "");
  }
  minio(bucket: string): string {
    return path.join(this.root, bucket);
  }
  /**
   * Where the DR remote's buckets are: a folder of its own (an alias remote), so a path that
   * misses the `dr:` remote lands beside it, where the tests see it is not in the DR copy.
   */
  get drRoot(): string {
    return path.join(this.root, "aws");
  }
  dr(drBucket: string, bucket: string): string {
    return path.join(this.drRoot, drBucket, "mirror", bucket);
  }
  put(dir: string, files: readonly string[]): void {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), f);
    }
  }
  remove(dir: string, files: readonly string[]): void {
    for (const f of files) fs.rmSync(path.join(dir, f));
  }
  list(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort();
  }
  /**
   * One run of a registered script with its registered env, both remotes local folders, the pod's paths
   * (CA files, cache) moved into the site; under bash unless another shell is named.
   */
  run(pod: PodScript, shell = "bash"): { status: number | null; log: string } {
    const out = spawnSync(shell, ["-c", pod.script], {
      cwd: this.root,
      encoding: "utf8",
      env: {
        ...pod.env,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.root,
        RCLONE_CONFIG: path.join(this.root, "rclone.conf"),
        RCLONE_CACHE_DIR: path.join(this.root, ".cache"),
        RCLONE_CA_CERT: path.join(this.root, "ca-bundle.pem"),
        SYSTEM_CA_FILE: path.join(this.root, "ca.crt"),
        MINIO_CA_FILE: path.join(this.root, "ca.crt"),
        RCLONE_CONFIG_MINIO_TYPE: "local",
        RCLONE_CONFIG_DR_TYPE: "alias",
        RCLONE_CONFIG_DR_REMOTE: this.drRoot,
      },
    });
    return { status: out.status, log: `${out.stdout}${out.stderr}` };
  }
  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
