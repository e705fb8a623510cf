// Conformance against the pinned upstream copies: CRD schemas with unknown fields refused, and
// chart values whose every path exists in the chart's values.yaml and passes its schema.
import * as fs from "fs";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { upstreamFile } from "../upstream";
import { DOCUMENTED_PATHS } from "../conformance/documented-paths";

type Schema = Record<string, unknown>;

/** Object schemas listing `properties` refuse other keys, unless they preserve unknown fields. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (k.startsWith("x-kubernetes-")) continue;
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)]))
        : strict(v);
  }
  const s = schema as Schema;
  if (s.properties && !s["x-kubernetes-preserve-unknown-fields"] && s.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Validates `spec` against the spec schema of a CRD file; returns the errors (empty when valid). */
export function crdErrors(folder: string, file: string, spec: unknown): string[] {
  const crd = parseYaml(fs.readFileSync(upstreamFile(folder, file), "utf8")) as {
    spec: {
      versions: { storage?: boolean; schema: { openAPIV3Schema: { properties: { spec: Schema } } } }[];
    };
  };
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(strict(version.schema.openAPIV3Schema.properties.spec) as Schema);
  return validate(spec) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * Paths of `values` that the chart's values.yaml does not have (maps left open upstream are
 * free; paths it documents only in a comment are admitted, test/conformance/documented-paths.ts).
 */
export function unknownValuePaths(folder: string, values: unknown): string[] {
  const upstream = parseYaml(fs.readFileSync(upstreamFile(folder, "values.yaml"), "utf8")) as unknown;
  const documented = (DOCUMENTED_PATHS[folder] ?? []).map((d) => d.path);
  const missing: string[] = [];
  const walk = (ours: unknown, theirs: unknown, at: string): void => {
    if (!ours || typeof ours !== "object" || Array.isArray(ours)) return;
    if (!theirs || typeof theirs !== "object" || Array.isArray(theirs)) return;
    const t = theirs as Record<string, unknown>;
    if (Object.keys(t).length === 0) return;
    for (const [k, v] of Object.entries(ours as Record<string, unknown>)) {
      const here = at ? `${at}.${k}` : k;
      if (documented.some((d) => here === d || here.startsWith(`${d}.`))) continue;
      if (!(k in t)) missing.push(here);
      else walk(v, t[k], here);
    }
  };
  walk(values, upstream, "");
  return missing;
}

/** Helm's merge: maps merge key by key, anything else (lists included) is replaced. */
function merge(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === "object" && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Validates the values Helm would validate: the chart's defaults merged with ours. */
export function valuesSchemaErrors(folder: string, values: unknown): string[] {
  const defaults = parseYaml(fs.readFileSync(upstreamFile(folder, "values.yaml"), "utf8")) as unknown;
  values = merge(defaults, values);
  const schema = JSON.parse(fs.readFileSync(upstreamFile(folder, "values.schema.json"), "utf8")) as Schema;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(schema);
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export function chartVersion(folder: string): string {
  const chart = parseYaml(fs.readFileSync(upstreamFile(folder, "Chart.yaml"), "utf8")) as {
    version: string;
  };
  return chart.version;
}
