// Helm value checks: every path a stack sets must exist in the pinned chart's values.yaml (or
// be described by its values.schema.json), the whole values object must pass that schema, and
// the Release's chart version must equal the pinned copy.
import { ValidateFunction } from "ajv";
import { compile, describeErrors } from "./ajv";
import { DOCUMENTED_PATHS } from "./documented-paths";
import { chartData, ChartData } from "./upstream";
import { isObject, JsonSchema } from "./types";

/** Chart name -> upstream folder and the Helm repositories that serve that chart. */
export const CHARTS: Readonly<Record<string, { folder: string; repos: readonly string[] }>> = {
  harbor: { folder: "harbor-helm", repos: ["https://helm.goharbor.io"] },
  "cert-manager": {
    folder: "cert-manager-chart",
    repos: ["https://charts.jetstack.io", "oci://quay.io/jetstack/charts"],
  },
  "cloudnative-pg": { folder: "cloudnative-pg-chart", repos: ["https://cloudnative-pg.github.io/charts"] },
  "plugin-barman-cloud": {
    folder: "plugin-barman-cloud-chart",
    repos: ["https://cloudnative-pg.github.io/charts"],
  },
  "redis-ha": { folder: "redis-ha-chart", repos: ["https://dandydeveloper.github.io/charts"] },
  minio: { folder: "minio-community-chart", repos: ["https://charts.min.io"] },
  velero: { folder: "velero-chart", repos: ["https://vmware-tanzu.github.io/helm-charts"] },
  "fluent-bit": { folder: "fluent-bit-chart", repos: ["https://fluent.github.io/helm-charts"] },
};

function key(path: string, k: string): string {
  if (/^[A-Za-z_][\w-]*$/.test(k)) return path ? `${path}.${k}` : k;
  return `${path}[${JSON.stringify(k)}]`;
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "list" : isObject(value) ? "mapping" : typeof value;
}

/** A chart default of `{}` or null is a free-form slot (annotations, resources, affinity...). */
function freeForm(chartValue: unknown): boolean {
  return chartValue === null || (isObject(chartValue) && Object.keys(chartValue).length === 0);
}

/** What a (sub)schema says about one property: described (with its schema) or free-form. */
interface SchemaAnswer {
  known: boolean;
  free: boolean;
  schema?: JsonSchema;
}

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === "string" && depth < 20; depth++) {
    const ref = current.$ref;
    if (!ref.startsWith("#/")) break;
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) target = isObject(target) ? target[part] : undefined;
    if (!isObject(target)) break;
    current = target;
  }
  return current;
}

function schemaProperty(raw: JsonSchema, k: string, root: JsonSchema): SchemaAnswer {
  const schema = resolveRef(raw, root);
  for (const combo of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[combo];
    if (!Array.isArray(branches)) continue;
    for (const branch of branches) {
      if (!isObject(branch)) continue;
      const answer = schemaProperty(branch, k, root);
      if (answer.known) return answer;
    }
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  const child = properties[k];
  if (isObject(child)) return { known: true, free: false, schema: resolveRef(child, root) };
  if (isObject(schema.patternProperties)) {
    for (const [pattern, sub] of Object.entries(schema.patternProperties))
      if (new RegExp(pattern, "u").test(k) && isObject(sub))
        return { known: true, free: false, schema: resolveRef(sub, root) };
  }
  if (isObject(schema.additionalProperties))
    return { known: true, free: false, schema: resolveRef(schema.additionalProperties, root) };
  // A schema that names no properties and does not forbid extras says nothing: free-form.
  const silent = Object.keys(properties).length === 0 && schema.additionalProperties !== false;
  return { known: silent, free: silent };
}

function hasProperties(schema: JsonSchema | undefined): schema is JsonSchema {
  return schema !== undefined && isObject(schema.properties) && Object.keys(schema.properties).length > 0;
}

/**
 * The paths in `values` that the chart does not know. A path is known when values.yaml has it,
 * when `schema` describes it, or when `documented` lists it (comment-only keys). Below a key
 * whose default is `{}`/null everything is free-form; lists are leaves unless the schema
 * describes their items; a mapping set where the chart has a scalar (or the reverse) is reported.
 */
export function unknownValuePaths(
  values: Record<string, unknown>,
  chartValues: Record<string, unknown>,
  schema?: JsonSchema,
  documented: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  const root = schema;
  const allow = new Set(documented);
  const walk = (
    set: Record<string, unknown>,
    chart: unknown,
    sub: JsonSchema | undefined,
    path: string,
  ): void => {
    for (const [k, value] of Object.entries(set)) {
      const p = key(path, k);
      if (allow.has(p)) continue;
      const inChart = isObject(chart) && Object.prototype.hasOwnProperty.call(chart, k);
      const chartValue = inChart ? (chart as Record<string, unknown>)[k] : undefined;
      const answer: SchemaAnswer = sub && root ? schemaProperty(sub, k, root) : { known: false, free: false };
      if (!inChart && !answer.known) {
        problems.push(`${p}: not in the chart's values.yaml${root ? " nor its values.schema.json" : ""}`);
        continue;
      }
      if ((inChart && freeForm(chartValue)) || answer.free) continue;
      const chartHasMap = inChart && isObject(chartValue);
      if (isObject(value)) {
        if (inChart && !chartHasMap && !hasProperties(answer.schema)) {
          problems.push(`${p}: the chart has a ${kindOf(chartValue)} here, a mapping is set`);
          continue;
        }
        walk(value, chartValue, answer.schema, p);
      } else if (Array.isArray(value)) {
        const items =
          answer.schema && isObject(answer.schema.items)
            ? resolveRef(answer.schema.items, root ?? {})
            : undefined;
        if (hasProperties(items))
          value.forEach((item, i) => {
            if (isObject(item)) walk(item, undefined, items, `${p}[${i}]`);
          });
        else if (chartHasMap) problems.push(`${p}: the chart has a mapping here, a list is set`);
      } else if (chartHasMap && value !== null) {
        // null is how a user deletes a default key in Helm; any other scalar breaks the templates.
        problems.push(`${p}: the chart has a mapping here, a ${kindOf(value)} is set`);
      }
    }
  };
  walk(values, chartValues, schema, "");
  return problems;
}

const schemaValidators = new Map<JsonSchema, ValidateFunction>();

/** Validates the whole values object against the chart's values.schema.json (cached per schema). */
export function schemaProblems(values: Record<string, unknown>, schema: JsonSchema): string[] {
  let validate = schemaValidators.get(schema);
  if (!validate) {
    validate = compile(schema);
    schemaValidators.set(schema, validate);
  }
  return validate(values) ? [] : describeErrors("", validate.errors);
}

/**
 * Helm's merge of user values over chart defaults, which is what it validates against the schema:
 * mappings merge key by key, anything else replaces, and a null deletes the default.
 */
export function coalesce(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, value] of Object.entries(overrides)) {
    const base = out[k];
    if (value === null) delete out[k];
    else if (isObject(value) && isObject(base)) out[k] = coalesce(base, value);
    else out[k] = value;
  }
  return out;
}

/** Every value problem for one chart folder: unknown paths plus schema errors. */
export function chartValueProblems(folder: string, values: Record<string, unknown>): string[] {
  const data: ChartData = chartData(folder);
  const documented = (DOCUMENTED_PATHS[folder] ?? []).map((d) => d.path);
  const problems = unknownValuePaths(values, data.values, data.schema, documented);
  if (data.schema)
    problems.push(
      ...schemaProblems(coalesce(data.values, values), data.schema).map((p) => `values.schema.json: ${p}`),
    );
  return problems;
}

function normaliseRepo(repo: string): string {
  return repo.trim().replace(/\/+$/, "");
}

/**
 * Problems with one `kubernetes:helm.sh/v3:Release`'s inputs: which pinned chart it is (from
 * `chart` and `repositoryOpts.repo`; `chart` may also be `repo/name` or a full `oci://` ref),
 * whether `version` equals the pinned chart version, and its values. Each string names the
 * release and the chart.
 */
export function helmReleaseProblems(inputs: Record<string, unknown>): string[] {
  const label = `Release ${typeof inputs.name === "string" ? inputs.name : "(unnamed)"}`;
  const chartRef = typeof inputs.chart === "string" ? inputs.chart : "";
  const repoOpts = isObject(inputs.repositoryOpts) ? inputs.repositoryOpts : {};
  let repo = typeof repoOpts.repo === "string" ? normaliseRepo(repoOpts.repo) : "";
  let name = chartRef;
  if (chartRef.startsWith("oci://")) {
    repo = chartRef.slice(0, chartRef.lastIndexOf("/"));
    name = chartRef.slice(chartRef.lastIndexOf("/") + 1);
  } else if (!repo && chartRef.includes("/")) {
    name = chartRef.slice(chartRef.lastIndexOf("/") + 1);
  }
  const pinned = CHARTS[name];
  if (!pinned)
    return [
      `${label}: chart "${chartRef}" has no pinned upstream copy (known: ${Object.keys(CHARTS).join(", ")})`,
    ];
  const where = `${label} (${name})`;
  const problems: string[] = [];
  if (!repo) problems.push(`${where}: no repositoryOpts.repo; expected one of ${pinned.repos.join(", ")}`);
  else if (!pinned.repos.includes(repo))
    problems.push(
      `${where}: repository "${repo}" is not where the pinned chart comes from (${pinned.repos.join(", ")})`,
    );
  const data = chartData(pinned.folder);
  if (inputs.version !== data.chartVersion)
    problems.push(
      `${where}: version ${JSON.stringify(inputs.version)} != pinned ${JSON.stringify(data.chartVersion)} (${pinned.folder})`,
    );
  if (inputs.valueYamlFiles !== undefined)
    problems.push(`${where}: valueYamlFiles cannot be checked offline; pass values inline`);
  const values = inputs.values === undefined ? {} : inputs.values;
  if (!isObject(values)) problems.push(`${where}: values is a ${kindOf(values)}, not a mapping`);
  else problems.push(...chartValueProblems(pinned.folder, values).map((p) => `${where}: ${p}`));
  return problems;
}
