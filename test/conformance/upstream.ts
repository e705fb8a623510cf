// Locates the pinned upstream data (chart values, value schemas, CRDs) and reads it. Three
// places, in order: $HARBOR_PLATFORM_UPSTREAM, <repo>/../shared/upstream, and the cache that
// `node scripts/fetch-upstream.mjs` fills at <repo>/.upstream-cache. An explicit env value
// that does not exist is an error rather than a silent fallback, so a typo is noticed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { isObject, JsonSchema } from "./types";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const ENV_VAR = "HARBOR_PLATFORM_UPSTREAM";
const SHARED_DIR = resolve(REPO_ROOT, "..", "shared", "upstream");
const CACHE_DIR = join(REPO_ROOT, ".upstream-cache");

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function notFound(detail: string): Error {
  return new Error(
    `conformance: pinned upstream data not found (${detail}). Looked in, in order:\n` +
      `  1. $${ENV_VAR} (${process.env[ENV_VAR] ? `set to ${process.env[ENV_VAR]}` : "unset"})\n` +
      `  2. ${SHARED_DIR}\n` +
      `  3. ${CACHE_DIR}\n` +
      `Fill the cache with \`node scripts/fetch-upstream.mjs\` (downloads the same files at the ` +
      `pinned commits and checks their sha256), or point $${ENV_VAR} at a copy.`,
  );
}

/** The folder holding one sub-folder per chart or CRD set. Throws one clear error if none. */
export function upstreamDir(): string {
  const fromEnv = process.env[ENV_VAR];
  if (fromEnv) {
    if (isDir(fromEnv)) return resolve(fromEnv);
    throw notFound(`$${ENV_VAR} points at a missing directory`);
  }
  for (const dir of [SHARED_DIR, CACHE_DIR]) if (isDir(dir)) return dir;
  throw notFound("no candidate directory exists");
}

function folderPath(folder: string): string {
  const dir = join(upstreamDir(), folder);
  if (!isDir(dir)) throw notFound(`folder ${folder} is missing from ${upstreamDir()}`);
  return dir;
}

export interface ChartData {
  values: Record<string, unknown>;
  schema?: JsonSchema;
  chartVersion: string;
}

const chartCache = new Map<string, ChartData>();

/**
 * A chart's default values, its values.schema.json when it has one, and its version: from
 * Chart.yaml, or from SOURCE.md where Chart.yaml is not copied (cert-manager's is templated
 * `v0.0.0` in git; the release tool sets the real version).
 */
export function chartData(folder: string): ChartData {
  const key = join(upstreamDir(), folder);
  const cached = chartCache.get(key);
  if (cached) return cached;
  const dir = folderPath(folder);
  const values: unknown = parse(readFileSync(join(dir, "values.yaml"), "utf8")) ?? {};
  if (!isObject(values)) throw new Error(`conformance: ${dir}/values.yaml is not a mapping`);
  const schemaFile = join(dir, "values.schema.json");
  const schema = existsSync(schemaFile)
    ? (JSON.parse(readFileSync(schemaFile, "utf8")) as JsonSchema)
    : undefined;
  const data: ChartData = { values, schema, chartVersion: chartVersion(dir) };
  chartCache.set(key, data);
  return data;
}

function chartVersion(dir: string): string {
  const chartFile = join(dir, "Chart.yaml");
  if (existsSync(chartFile)) {
    const chart: unknown = parse(readFileSync(chartFile, "utf8"));
    if (isObject(chart) && typeof chart.version === "string") return chart.version;
    throw new Error(`conformance: ${chartFile} has no string version`);
  }
  const sourceFile = join(dir, "SOURCE.md");
  const match = existsSync(sourceFile)
    ? /^- Chart version: `([^`]+)`/m.exec(readFileSync(sourceFile, "utf8"))
    : null;
  if (!match)
    throw new Error(`conformance: ${dir} has neither Chart.yaml nor a "Chart version" in SOURCE.md`);
  return match[1];
}

let crdCache: { dir: string; index: Map<string, JsonSchema> } | undefined;

/**
 * Every served CRD version found in the `*-crds` folders, keyed "group/version/Kind", mapped to
 * its openAPIV3Schema. New CRD sets are picked up by dropping a folder in; nothing to register.
 */
export function crdIndex(): Map<string, JsonSchema> {
  const root = upstreamDir();
  if (crdCache?.dir === root) return crdCache.index;
  const index = new Map<string, JsonSchema>();
  for (const folder of readdirSync(root).filter((f) => f.endsWith("-crds") && isDir(join(root, f)))) {
    for (const file of readdirSync(join(root, folder)).filter((f) => /\.ya?ml$/.test(f))) {
      for (const doc of parseAllDocuments(readFileSync(join(root, folder, file), "utf8"))) {
        addCrd(index, doc.toJS() as unknown);
      }
    }
  }
  crdCache = { dir: root, index };
  return index;
}

function addCrd(index: Map<string, JsonSchema>, crd: unknown): void {
  if (!isObject(crd) || crd.kind !== "CustomResourceDefinition" || !isObject(crd.spec)) return;
  const { group, names, versions } = crd.spec;
  if (typeof group !== "string" || !isObject(names) || !Array.isArray(versions)) return;
  for (const version of versions) {
    if (!isObject(version) || version.served === false || !isObject(version.schema)) continue;
    const schema = version.schema.openAPIV3Schema;
    if (isObject(schema)) index.set(`${group}/${String(version.name)}/${String(names.kind)}`, schema);
  }
}
