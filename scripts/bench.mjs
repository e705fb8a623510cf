// `npm run bench`: the performance figures, measured side by side in one run so machine noise
// cancels. Each measurement runs in a fresh process; the median of several rounds is kept.
// Prints a table and writes bench/results.json.
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const scales = (process.env.BENCH_SCALES ?? "10,100,1000,10000").split(",").map(Number);
// Issue 18's targets: plan cost vs a one-Release program; 10,000 projects with a robot each.
const TARGETS = { dev: 1.3, prod: 1.8, scaleProjects: 10000, scaleMemoryMb: 1536, scaleSeconds: 60 };

/** The machine as `nproc`, `lscpu | grep 'Model name'` and `node --version` name it. */
function machine() {
  const run = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8" }).trim();
    } catch {
      return undefined;
    }
  };
  const model = run("lscpu", [])
    ?.split("\n")
    .find((l) => l.startsWith("Model name:"))
    ?.replace(/^Model name:\s*/, "");
  return {
    cpus: Number(run("nproc", []) ?? cpus().length),
    cpuModel: model ?? cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}
/** `uptime`'s three load averages, as one string (the JSON stays as Prettier writes it). */
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const loadAtStart = load();
const withTests = process.env.BENCH_SKIP_TESTS !== "1";

function measure(mode) {
  const r = spawnSync(process.execPath, ["-r", "ts-node/register", join(root, "bench", "plan.ts"), mode], {
    cwd: root,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function series(modes) {
  const samples = Object.fromEntries(modes.map((m) => [m, []]));
  // Interleave the modes so that drift in machine load hits each of them alike.
  for (let i = 0; i < rounds; i++) for (const m of modes) samples[m].push(measure(m));
  return Object.fromEntries(
    modes.map((m) => {
      const s = samples[m];
      return [
        m,
        {
          ...s[0],
          evaluationMs: median(s.map((x) => x.evaluationMs)),
          processMs: median(s.map((x) => x.processMs)),
          cpuMs: median(s.map((x) => x.cpuMs)),
          maxRssMb: median(s.map((x) => x.maxRssMb)),
        },
      ];
    }),
  );
}

const plan = series(["one-release", "dev", "prod"]);
const base = plan["one-release"];
const ratio = (x, key) => x[key] / base[key];
const results = {
  machine: machine(),
  loadAverage: { start: loadAtStart, end: null },
  rounds,
  plan: Object.values(plan).map((x) => ({
    program: x.mode,
    resources: x.resources,
    evaluationMs: Math.round(x.evaluationMs),
    processMs: Math.round(x.processMs),
    cpuMs: Math.round(x.cpuMs),
    maxRssMb: Math.round(x.maxRssMb),
    timeVsOneRelease: +ratio(x, "processMs").toFixed(2),
    cpuVsOneRelease: +ratio(x, "cpuMs").toFixed(2),
    memoryVsOneRelease: +ratio(x, "maxRssMb").toFixed(2),
    target: TARGETS[x.mode] ?? null,
    loadsAws: x.loadedAws,
  })),
  deploy: ["dev", "prod"].map((m) => ({
    stack: m,
    criticalPathSeconds: plan[m].criticalPathSeconds,
    serialSeconds: plan[m].serialSeconds,
    speedup: +(plan[m].serialSeconds / plan[m].criticalPathSeconds).toFixed(1),
    chain: plan[m].chain,
    needlessWaits: plan[m].needlessWaits,
  })),
  scale: [],
  testSuite: null,
};

const scaleRuns = series(scales.map((n) => `scale:${n}`));
for (const n of scales) {
  const x = scaleRuns[`scale:${n}`];
  results.scale.push({
    projects: n,
    resources: x.resources,
    evaluationMs: Math.round(x.evaluationMs),
    maxRssMb: Math.round(x.maxRssMb),
    harborResources: x.state.resources,
    stateBytesPerHarborResource: Math.round(x.state.bytes / x.state.resources),
    harborStateMb: +(x.state.bytes / 2 ** 20).toFixed(1),
    harborStateMbBefore: +(x.state.previousBytes / 2 ** 20).toFixed(1),
  });
}
const at = (n) => results.scale.find((s) => s.projects === n);
if (at(100) && at(1000))
  results.scaleRatio1000vs100 = +(at(1000).evaluationMs / at(100).evaluationMs).toFixed(1);
if (at(1000) && at(10000))
  results.scaleRatio10000vs1000 = +(at(10000).evaluationMs / at(1000).evaluationMs).toFixed(1);

// The dynamic provider against the spec-checked fake Harbor: a no-change `up` and a refresh.
{
  const n = Number(process.env.BENCH_NO_CHANGE_PROJECTS ?? 1000);
  const r = spawnSync(
    process.execPath,
    ["-r", "ts-node/register", join(root, "bench", "no-change.ts"), String(n)],
    {
      cwd: root,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`bench no-change failed: ${r.stderr}`);
  results.noChange = JSON.parse(r.stdout.trim().split("\n").pop());
}

if (withTests) {
  const t0 = Date.now();
  const r = spawnSync("npm", ["test"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  results.testSuite = {
    seconds: +((Date.now() - t0) / 1000).toFixed(1),
    summary: r.stdout.trim().split("\n").pop(),
    target: 60,
  };
}

results.loadAverage.end = load();
const table = (rows) => console.table(rows);
console.log(
  `machine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, node ${results.machine.node}; median of ${rounds} rounds; load average ${results.loadAverage.start} at start, ${results.loadAverage.end} at end`,
);
console.log("\nOffline plan cost (program evaluation under mocks, fresh process each)");
table(results.plan);
for (const p of results.plan.filter((x) => x.target !== null))
  console.log(
    `${p.program}: ${p.timeVsOneRelease}x wall, ${p.cpuVsOneRelease}x CPU of a one-Release program (target <= ${p.target}x)`,
  );
console.log("\nDeploy critical path (modeled first `pulumi up`, durations in bench/durations.json)");
table(results.deploy.map((d) => ({ ...d, chain: d.chain.length, needlessWaits: d.needlessWaits.length })));
for (const d of results.deploy) {
  console.log(`${d.stack} chain: ${d.chain.join(" -> ")}`);
  for (const w of d.needlessWaits) console.log(`  needless wait: ${w}`);
}
console.log(
  "\nScale with declared Harbor projects (one robot each), prod stack; state as `pulumi stack export` shows it",
);
table(results.scale);
if (results.scaleRatio1000vs100 !== undefined)
  console.log(`1,000 vs 100 projects: ${results.scaleRatio1000vs100}x (target <= 12x)`);
if (results.scaleRatio10000vs1000 !== undefined)
  console.log(`10,000 vs 1,000 projects: ${results.scaleRatio10000vs1000}x (linear: about 10x)`);
const big = at(TARGETS.scaleProjects);
if (big)
  console.log(
    `${TARGETS.scaleProjects} projects: ${(big.evaluationMs / 1000).toFixed(1)} s (target <= ${TARGETS.scaleSeconds} s), ${big.maxRssMb} MB peak (target <= ${TARGETS.scaleMemoryMb} MB)`,
  );
console.log("\nDynamic provider, no-change run against the fake Harbor (projects with a robot each)");
table([results.noChange]);
if (results.testSuite)
  console.log(`\nnpm test: ${results.testSuite.seconds} s (target < 60 s) — ${results.testSuite.summary}`);
writeFileSync(join(root, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwritten: bench/results.json");
