// The metric check every PromQL expression of the platform passes: Prometheus's own parser
// (`promtool check rules`, Debian's prometheus package, which scripts/setup.sh installs) and the
// table of exported metric names (components/monitoring/metrics.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { KNOWN_METRICS, RATE_INTERVAL, metricNames, type RuleGroup } from "../../components/monitoring";

/** What Grafana puts in for its own variables before Prometheus sees an expression. */
export function grafanaExpanded(expr: string): string {
  return expr.split(RATE_INTERVAL).join("5m");
}

/** Names an expression selects that the table does not list. */
export function unknownMetrics(expr: string): string[] {
  return metricNames(grafanaExpanded(expr)).filter((n) => !KNOWN_METRICS.has(n));
}

/**
 * promtool's complaint about the expressions, "" when it parses them all: each becomes a
 * recording rule of one group, so promtool names the first it refuses.
 */
export function promtoolProblems(exprs: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promql-"));
  try {
    const rules = exprs.map((expr, i) => ({ record: `check:expression_${i}`, expr: grafanaExpanded(expr) }));
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: [{ name: "check", rules }] }));
    const res = spawnSync("promtool", ["check", "rules", "rules.yaml"], { cwd: dir, encoding: "utf8" });
    if (res.error) return String(res.error);
    return res.status === 0 ? "" : `${res.stdout}${res.stderr}`.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `promtool test rules` of `tests` (its unit-test format) over `groups`: exit status and output. */
export function promtoolTestRules(
  groups: readonly RuleGroup[],
  tests: unknown[],
  evaluationInterval = "1m",
): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-tests-"));
  try {
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }));
    fs.writeFileSync(
      path.join(dir, "test.yaml"),
      stringify({ rule_files: ["rules.yaml"], evaluation_interval: evaluationInterval, tests }),
    );
    const res = spawnSync("promtool", ["test", "rules", "test.yaml"], { cwd: dir, encoding: "utf8" });
    return { status: res.status, out: `${res.stdout}${res.stderr}${res.error ? String(res.error) : ""}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
