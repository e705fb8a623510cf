// Reads chart data and CRD schemas from the pinned upstream folder that test/upstream.ts
// locates (the one resolver for upstream data).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { isObject, JsonSchema } from "./types";
import { upstreamDir, upstreamFile } from "../upstream";

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
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
  const dir = join(upstreamDir(), folder);
  const cached = chartCache.get(dir);
  if (cached) return cached;
  const values: unknown = parse(readFileSync(upstreamFile(folder, "values.yaml"), "utf8")) ?? {};
  if (!isObject(values)) throw new Error(`conformance: ${dir}/values.yaml is not a mapping`);
  const schemaFile = join(dir, "values.schema.json");
  const schema = existsSync(schemaFile)
    ? (JSON.parse(readFileSync(schemaFile, "utf8")) as JsonSchema)
    : undefined;
  const data: ChartData = { values, schema, chartVersion: chartVersion(dir) };
  chartCache.set(dir, data);
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
