// One measurement in a fresh process: evaluate a program under the SDK's mocks and print
// wall time, peak memory and what it registered, as one JSON line.
//   plan.ts dev | prod | one-release | scale:<projects>
import * as path from "path";
import { performance } from "perf_hooks";
import model from "./durations.json";
import { criticalPath, needlessWaits } from "./critical-path";
import { ROOT, evaluateProgram, type ConfigOverrides } from "../test/harness";
import { scaleOverrides } from "./scale";

async function main(mode: string): Promise<void> {
  const started = performance.now();
  let program = path.join(ROOT, "index.ts");
  let stack = mode;
  let overrides: ConfigOverrides = {};
  if (mode === "one-release") {
    program = path.join(__dirname, "programs", "one-release.ts");
    stack = "dev";
  } else if (mode.startsWith("scale:")) {
    stack = "prod";
    overrides = scaleOverrides(Number(mode.slice("scale:".length)));
  }
  const run = await evaluateProgram(program, stack, overrides);
  const evaluationMs = performance.now() - started;
  const cp = criticalPath(run.resources, model);
  const result = {
    mode,
    evaluationMs,
    processMs: performance.now(),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    resources: run.resources.length,
    loadedAws: Object.keys(require.cache).some((k) =>
      k.includes(`${path.sep}@pulumi${path.sep}aws${path.sep}`),
    ),
    criticalPathSeconds: cp.seconds,
    serialSeconds: cp.serialSeconds,
    chain: cp.chain.filter((c) => c.seconds > 0).map((c) => `${c.name} (${c.seconds} s)`),
    needlessWaits: needlessWaits(run.resources),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2] ?? "dev").catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
