// Debian's rclone (1.60 in bookworm), the real binary the DR tests run. Missing is a failure with
// the one line that fixes it, never a skip: CI installs it (.ci/run).
import { spawnSync, type SpawnSyncReturns } from "node:child_process";

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
