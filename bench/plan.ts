// One measurement in a fresh process: evaluate a program under the SDK's mocks and print
// wall time, CPU time, peak memory and what it registered, as one JSON line; for the scale runs
// also the bytes of state the Harbor resources make (bench/state.ts), computed after timing.
//   plan.ts dev | prod | one-release | scale:<projects>
import * as path from "path";
import { performance } from "perf_hooks";
import model from "./durations.json";
import { criticalPath, needlessWaits } from "./critical-path";
import { ROOT, evaluateProgram, type ConfigOverrides, type StackRun } from "../test/harness";
import { scaleOverrides } from "./scale";

/** Loaded only after the timings: their modules are no part of an evaluation. */
function stateFigures(run: StackRun) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { harborState } = require("./state") as typeof import("./state");
  const { previousProviderText } =
    require("../test/engine/previous-provider") as typeof import("../test/engine/previous-provider");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const now = harborState(run);
  // The same records with the provider's whole text in __provider, as before the loader.
  const previousProvider = 2 * Buffer.byteLength(JSON.stringify(previousProviderText()));
  return {
    ...now,
    previousBytes: now.bytes - now.providerBytes + now.resources * previousProvider,
  };
}

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
  const processMs = performance.now();
  const cpu = process.resourceUsage();
  const result = {
    mode,
    evaluationMs,
    processMs,
    // User and system time of every thread (GC helpers included), from the process's start.
    cpuMs: (cpu.userCPUTime + cpu.systemCPUTime) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    resources: run.resources.length,
    loadedAws: Object.keys(require.cache).some((k) =>
      k.includes(`${path.sep}@pulumi${path.sep}aws${path.sep}`),
    ),
    criticalPathSeconds: cp.seconds,
    serialSeconds: cp.serialSeconds,
    chain: cp.chain.filter((c) => c.seconds > 0).map((c) => `${c.name} (${c.seconds} s)`),
    needlessWaits: needlessWaits(run.resources),
    state: mode.startsWith("scale:") ? stateFigures(run) : undefined,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2] ?? "dev").catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
