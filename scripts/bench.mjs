// `npm run bench`: the performance figures, measured side by side in one run so machine noise
// cancels. Each measurement runs in a fresh process; the median of several rounds is kept.
// Prints a table and writes bench/results.json.
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const scales = (process.env.BENCH_SCALES ?? "10,100,1000,5000").split(",").map(Number);
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
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  rounds,
  plan: Object.values(plan).map((x) => ({
    program: x.mode,
    resources: x.resources,
    evaluationMs: Math.round(x.evaluationMs),
    processMs: Math.round(x.processMs),
    maxRssMb: Math.round(x.maxRssMb),
    timeVsOneRelease: +ratio(x, "processMs").toFixed(2),
    memoryVsOneRelease: +ratio(x, "maxRssMb").toFixed(2),
    target: x.mode === "prod" ? 2 : x.mode === "dev" ? 1.5 : null,
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
  });
}
const at = (n) => results.scale.find((s) => s.projects === n);
if (at(100) && at(1000))
  results.scaleRatio1000vs100 = +(at(1000).evaluationMs / at(100).evaluationMs).toFixed(1);

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

const table = (rows) => console.table(rows);
console.log(
  `machine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, node ${results.machine.node}; median of ${rounds} rounds`,
);
console.log("\nOffline plan cost (program evaluation under mocks, fresh process each)");
table(results.plan);
console.log("\nDeploy critical path (modeled first `pulumi up`, durations in bench/durations.json)");
table(results.deploy.map((d) => ({ ...d, chain: d.chain.length, needlessWaits: d.needlessWaits.length })));
for (const d of results.deploy) {
  console.log(`${d.stack} chain: ${d.chain.join(" -> ")}`);
  for (const w of d.needlessWaits) console.log(`  needless wait: ${w}`);
}
console.log("\nScale with declared Harbor projects (one robot each), prod stack");
table(results.scale);
if (results.scaleRatio1000vs100 !== undefined)
  console.log(`1,000 vs 100 projects: ${results.scaleRatio1000vs100}x (target <= 12x)`);
console.log("\nDynamic provider, no-change run against the fake Harbor (projects with a robot each)");
table([results.noChange]);
if (results.testSuite)
  console.log(`\nnpm test: ${results.testSuite.seconds} s (target < 60 s) — ${results.testSuite.summary}`);
writeFileSync(join(root, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwritten: bench/results.json");
