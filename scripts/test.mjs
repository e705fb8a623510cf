// The one test command (`npm test`): type checks, lint, formatting and the mocha suite
// (unit, conformance, policy). Each static check counts as one test; the run ends with a
// plain "N passed, N failed" line and exits non-zero on any failure.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const summaryFile = join(root, ".test-results", "mocha.json");
const only = process.argv.slice(2);

function run(name, cmd, args, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const checks = [
  ["typecheck", bin("tsc"), ["--noEmit", "-p", "."]],
  ...(existsSync(join(root, "policy", "tsconfig.json"))
    ? [["typecheck policy", bin("tsc"), ["--noEmit", "-p", "policy"]]]
    : []),
  ["lint", bin("eslint"), ["--max-warnings", "0", "."]],
  ["format", bin("prettier"), ["--check", "."]],
];

rmSync(summaryFile, { force: true });
const wanted = (name) => only.length === 0 || only.includes(name.split(" ")[0]);
// The mocha suite and the type checks are each single-threaded: run them side by side.
const mocha = wanted("mocha")
  ? run(
      "mocha",
      process.execPath,
      // Test files run in worker processes, one per core: the engine-level and DR tests wait on
      // the child processes they start, and each worker evaluates only the stacks its files need.
      [
        bin("mocha"),
        "--parallel",
        "--jobs",
        String(Math.max(2, availableParallelism())),
        "--reporter",
        join(root, "scripts", "summary-reporter.cjs"),
      ],
      {
        SUMMARY_FILE: summaryFile,
        TS_NODE_TRANSPILE_ONLY: "true",
      },
    )
  : Promise.resolve(undefined);
const staticResults = [];
for (const [name, cmd, args] of checks.filter(([name]) => wanted(name))) {
  staticResults.push(await run(name, cmd, args));
}
const mochaResult = await mocha;

let passed = 0;
let failed = 0;
for (const r of staticResults) {
  const ok = r.code === 0;
  console.log(`${ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)`);
  if (!ok) console.log(r.output.trimEnd());
  if (ok) passed++;
  else failed++;
}
if (mochaResult) {
  console.log(mochaResult.output.trimEnd());
  console.log(`mocha finished in ${mochaResult.seconds.toFixed(1)} s`);
  if (existsSync(summaryFile)) {
    const counts = JSON.parse(readFileSync(summaryFile, "utf8"));
    passed += counts.passed;
    failed += counts.failed;
    // A crash after the counts were written (or a non-zero exit with no failed test) still fails.
    if (mochaResult.code !== 0 && counts.failed === 0) failed++;
  } else {
    console.log("FAIL mocha did not finish (no summary written)");
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
