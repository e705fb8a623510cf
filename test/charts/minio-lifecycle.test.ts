// MinIO's bucket lifecycle is set idempotently. The minio chart 5.4.0 re-runs customCommands in
// its post-install/post-upgrade Job: templates/_helper_custom_command.txt writes one line
// `runCommand {{ .command }}` per entry (runCommand = `${MC} "$@"`, after `set -e`), into a
// ConfigMap key with `|-` (the script's last newline dropped), run by /bin/sh. mc
// RELEASE.2024-11-21T17-21-54Z cmd/ilm-rule-import.go: `ilm import TARGET` decodes the whole
// lifecycle configuration from stdin (minio-go v7.0.77 pkg/lifecycle: {"Rules": [Rule]}) and sets
// it, replacing what was there; `ilm rule add` appends a rule, so re-running it piles them up.
// The script is run here by the real /bin/sh with `mc` recording its arguments and stdin.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { NONCURRENT_VERSION_DAYS } from "../../components/object-store";
import { charts } from "../../versions";
import { at, evaluateStack } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
/** JSON keys of minio-go v7.0.77 lifecycle.Rule (its MarshalJSON/UnmarshalJSON tags). */
const RULE_KEYS = [
  "AbortIncompleteMultipartUpload",
  "Expiration",
  "DelMarkerExpiration",
  "ID",
  "Filter",
  "NoncurrentVersionExpiration",
  "NoncurrentVersionTransition",
  "Prefix",
  "Status",
  "Transition",
];

interface Call {
  args: string[];
  stdin: string;
}

/** Runs the chart's custom-command lines under /bin/sh with a recording `mc`; twice, as two upgrades would. */
function runCustomCommands(commands: readonly string[]): Call[] {
  const dir = mkdtempSync(join(tmpdir(), "mc-"));
  try {
    const script = [
      "set -e",
      // The chart's runCommand; mc records each call's arguments (NUL-separated) and stdin.
      `mc() { n=$(ls "${dir}" | wc -l); printf '%s\\0' "$@" > "${dir}/$n.args"; cat > "${dir}/$n.stdin"; }`,
      'runCommand() { mc "$@"; }',
      ...commands.map((c) => `runCommand ${c}`),
    ].join("\n");
    execFileSync("/bin/sh", ["-c", `${script}\n${script}`], { stdio: ["ignore", "pipe", "pipe"] });
    const calls: Call[] = [];
    for (let i = 0; ; i += 2) {
      let args: string;
      try {
        args = readFileSync(join(dir, `${i}.args`), "utf8");
      } catch {
        break;
      }
      calls.push({
        args: args.split("\0").slice(0, -1),
        stdin: readFileSync(join(dir, `${i}.stdin`), "utf8"),
      });
    }
    return calls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("MinIO bucket lifecycle (prod)", () => {
  it("imports each bucket's whole lifecycle on every run instead of appending rules", async () => {
    const run = await evaluateStack("prod");
    const minio = run.byType(RELEASE).find((r) => r.inputs.chart === charts.minio.chart);
    const values = minio?.inputs.values as Record<string, unknown>;
    const commands = (at(values, "customCommands") as { command: string }[]).map((c) => c.command);
    const buckets = (at(values, "buckets") as { name: string; versioning: boolean }[]).filter(
      (b) => b.versioning,
    );
    expect(commands.join("\n")).to.not.match(/\bilm\s+(rule\s+)?add\b/);

    const calls = runCustomCommands(commands);
    const imports = calls.filter((c) => c.args[0] === "ilm");
    expect(imports.map((c) => c.args.join(" "))).to.have.members(
      [...buckets, ...buckets].map((b) => `ilm import myminio/${b.name}`),
    );
    for (const c of imports) {
      const config = JSON.parse(c.stdin) as { Rules: Record<string, unknown>[] };
      expect(config.Rules, "mc refuses a configuration without rules").to.have.length.greaterThan(0);
      for (const rule of config.Rules) {
        expect(RULE_KEYS, "a key minio-go's Rule decodes").to.include.members(Object.keys(rule));
        expect(rule.Status).to.equal("Enabled");
        expect(rule.ID).to.be.a("string").and.not.equal("");
      }
      expect(config.Rules.map((r) => at(r, "NoncurrentVersionExpiration.NoncurrentDays"))).to.include(
        NONCURRENT_VERSION_DAYS,
      );
    }
  });
});
