// Fills <repo>/.upstream-cache (or the folder given as the first argument) with the pinned
// upstream data files listed in scripts/upstream-sources.json, for a checkout without the
// project's shared upstream folder beside it. Each file is downloaded at its pinned commit (never
// a moving tag) and must match its recorded sha256. Everything goes into a temporary folder
// beside the target that is renamed into place only when every file arrived and matched, so a
// failed run leaves no partial cache (and keeps an existing one). On failure it prints one line
// naming what it could not get, to stderr, and exits 1.
// Usage: node scripts/fetch-upstream.mjs [targetDir]
// $FETCH_UPSTREAM_BASE_URL replaces https://raw.githubusercontent.com (a mirror with the same
// <owner>/<repo>/<commit>/<path> layout). Then `npm test` finds the cache, or point
// $HARBOR_PLATFORM_UPSTREAM at targetDir (see test/upstream.ts, the suite's resolver).
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = resolve(process.argv[2] ?? join(root, ".upstream-cache"));
const base = (process.env.FETCH_UPSTREAM_BASE_URL ?? "https://raw.githubusercontent.com").replace(/\/+$/, "");
const sources = JSON.parse(
  readFileSync(fileURLToPath(new URL("upstream-sources.json", import.meta.url)), "utf8"),
);
// Generous for a slow link, but a black-holed connection still ends in one line, not a hang.
const TIMEOUT_MS = 60_000;

/** A failure whose message is the one line to print. */
class Failure extends Error {}

/** The innermost useful reason of a fetch error (Node wraps the socket error as `cause`). */
function reason(error) {
  const cause = error?.cause ?? error;
  if (cause?.message) return cause.message;
  // Connecting to every address of a host can fail with an AggregateError without a message.
  if (cause?.errors?.[0]?.message) return cause.errors[0].message;
  return cause?.code ?? String(cause);
}

async function download(url) {
  try {
    const response = await globalThis.fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Failure(`could not download ${url} (HTTP ${response.status})`);
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof Failure) throw error;
    throw new Failure(`could not download ${url} (${reason(error)})`);
  }
}

const urlOf = ({ repo, commit, path }) => `${base}/${repo}/${commit}/${path}`;

async function fetchFile(folder, file, source) {
  const { sha256 } = source;
  const url = urlOf(source);
  const bytes = await download(url);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== sha256)
    throw new Failure(`${url} does not match its pinned sha256 (got ${actual}, expected ${sha256})`);
  return { folder, file, bytes };
}

/** The provenance note for one folder, in place of the shared folder's hand-written SOURCE.md. */
function sourceNote(folder, { license, chartVersion, files }) {
  const lines = [
    `# ${folder} (written by scripts/fetch-upstream.mjs)`,
    "",
    "Verbatim upstream files, each downloaded at its pinned commit and checked against its sha256.",
    "",
  ];
  // The resolver reads a chart's version from this line where Chart.yaml is not copied.
  if (chartVersion) lines.push(`- Chart version: \`${chartVersion}\``);
  lines.push(
    `- License: ${license}`,
    "",
    "| file | repository | ref | from | sha256 |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const [file, source] of Object.entries(files)) {
    lines.push(`| ${file} | ${source.repo} | ${source.ref} | ${urlOf(source)} | ${source.sha256} |`);
  }
  return `${lines.join("\n")}\n`;
}

function install(tmp) {
  if (!existsSync(target)) return renameSync(tmp, target);
  // Swap, so an existing cache is only removed once the new one is complete.
  const old = `${tmp}.old`;
  renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (error) {
    renameSync(old, target);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

let tmp;
try {
  mkdirSync(dirname(target), { recursive: true });
  tmp = mkdtempSync(join(dirname(target), `${basename(target)}.tmp-`));
  const fetched = await Promise.all(
    Object.entries(sources).flatMap(([folder, { files }]) =>
      Object.entries(files).map(([file, source]) => fetchFile(folder, file, source)),
    ),
  );
  for (const { folder, file, bytes } of fetched) {
    mkdirSync(join(tmp, folder), { recursive: true });
    writeFileSync(join(tmp, folder, file), bytes);
  }
  for (const [folder, entry] of Object.entries(sources))
    writeFileSync(join(tmp, folder, "SOURCE.md"), sourceNote(folder, entry));
  install(tmp);
  console.log(`fetch-upstream: ${fetched.length} files in ${target}`);
} catch (error) {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  const line = error instanceof Failure ? error.message : String(error?.message ?? error).split("\n")[0];
  process.stderr.write(`fetch-upstream: ${line}\n`);
  process.exit(1);
}
