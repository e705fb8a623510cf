// What the schema generates: Pulumi.yaml's `config` declarations and `template` section, and
// the README's configuration reference. scripts/generate-config.ts writes them;
// test/config/schema.test.ts fails when a committed file differs from what is generated here.
import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import { z } from "zod";
import { TOPOLOGIES, appliesTo, unwrap, type KeyDef, type Topology } from "./define";

type Defs = Readonly<Record<string, KeyDef>>;

/** The metadata of a schema node, outer wrappers overriding inner ones. */
function metaOf(schema: z.ZodType): z.GlobalMeta {
  const chain: z.ZodType[] = [];
  let s: z.ZodType | undefined = schema;
  while (s !== undefined) {
    chain.push(s);
    const def = s._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    s = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  }
  return chain.reduceRight<z.GlobalMeta>(
    (acc, node) => ({ ...acc, ...(z.globalRegistry.get(node) ?? {}) }),
    {},
  );
}

/** The value a `.default()` in the wrapper chain supplies. */
function defaultOf(schema: z.ZodType): unknown {
  let s: z.ZodType | undefined = schema;
  while (s !== undefined) {
    const def = s._zod.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === "default" || def.type === "prefault") return def.defaultValue;
    s = def.innerType;
  }
  return undefined;
}

/** A field of a structured key, flattened: `database.instances`, `gatewayParentRefs[].name`. */
export interface FieldDoc {
  readonly path: string;
  readonly type: string;
  readonly defaultText?: string | Readonly<Partial<Record<Topology, string>>>;
  readonly doc?: string;
  readonly allowed?: string;
}

function typeName(schema: z.ZodType): string {
  const meta = metaOf(schema);
  if (meta.type) return meta.type;
  const inner = unwrap(schema);
  const t = inner._zod.def.type;
  if (t === "array")
    return `list of ${typeName((inner._zod.def as unknown as { element: z.ZodType }).element)}`;
  if (t === "object") return "object";
  if (t === "record") return "map";
  // A section checked after parsing (`harborConfig.gc`) is named by what it parses.
  if (t === "pipe") return typeName((inner._zod.def as unknown as { in: z.ZodType }).in);
  if (t === "literal")
    return (inner._zod.def as unknown as { values: unknown[] }).values
      .map((v) => `\`${String(v)}\``)
      .join(" | ");
  return t;
}

/** Every field under a structured schema, depth first, in declaration order. */
export function fieldsOf(schema: z.ZodType, at: string): FieldDoc[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    options?: z.ZodType[];
    valueType?: z.ZodType;
    in?: z.ZodType;
  };
  if (def.type === "pipe" && def.in) return fieldsOf(def.in, at);
  if (def.type === "array" && def.element) return fieldsOf(def.element, `${at}[]`);
  if (def.type === "record" && def.valueType) return fieldsOf(def.valueType, `${at}.<name>`);
  if (def.type === "union" && def.options) {
    const seen = new Map<string, FieldDoc>();
    for (const option of def.options)
      for (const f of fieldsOf(option, at)) if (!seen.has(f.path)) seen.set(f.path, f);
    return [...seen.values()];
  }
  if (def.type !== "object" || !def.shape) return [];
  const out: FieldDoc[] = [];
  for (const [name, field] of Object.entries(def.shape)) {
    const path = `${at}.${name}`;
    const meta = metaOf(field);
    const d = defaultOf(field);
    out.push({
      path,
      type: typeName(field),
      ...(meta.defaultText !== undefined
        ? { defaultText: meta.defaultText }
        : d !== undefined
          ? { defaultText: showValue(d) }
          : ["optional", "default", "prefault"].includes(field._zod.def.type)
            ? {}
            : { defaultText: "required" }),
      ...(meta.doc !== undefined ? { doc: meta.doc } : {}),
      ...(meta.allowed !== undefined ? { allowed: meta.allowed } : {}),
    });
    out.push(...fieldsOf(field, path));
  }
  return out;
}

function showValue(value: unknown): string {
  if (typeof value === "string") return `\`${value}\``;
  if (Array.isArray(value) && value.length === 0) return "`[]`";
  if (value !== null && typeof value === "object" && Object.keys(value).length === 0) return "`{}`";
  return `\`${JSON.stringify(value)}\``;
}

/** The README cell for a key's default in one topology. */
function defaultCell(def: KeyDef, t: Topology): string {
  if (!appliesTo(def, t)) return "not used";
  const text = def.defaultText?.[t];
  if (text !== undefined) return text;
  const d = def.defaults?.[t];
  if (d !== undefined && !(typeof d === "object" && d !== null && Object.keys(d).length === 0))
    return showValue(d);
  if (def.required?.includes(t))
    return def.when ? `required when ${def.when.key} is ${def.when.values.join("/")}` : "required";
  return "—";
}

function fieldDefault(f: FieldDoc, t: Topology): string {
  const d = f.defaultText;
  return d === undefined ? "—" : typeof d === "string" ? d : (d[t] ?? "—");
}

const sentence = (text: string): string => (/[.!?]\)?$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** "Allowed: ..." unless the type column already lists the values. */
const allowedNote = (type: string, allowed: string | undefined): string =>
  allowed === undefined || type.startsWith("`") ? "" : `Allowed: ${sentence(allowed)}`;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The README's configuration reference: one table per group, structured keys' fields listed. */
export function referenceMarkdown(defs: Defs, foreign: Defs = {}): string {
  const all: [string, KeyDef][] = [...Object.entries(defs), ...Object.entries(foreign)];
  const groups = [...new Set(all.map(([, d]) => d.group))];
  const lines: string[] = [];
  for (const group of groups) {
    lines.push(
      `### ${group}`,
      "",
      "| key | type | dev | prod | what it is |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const [name, def] of all.filter(([, d]) => d.group === group)) {
      const type = typeName(def.schema);
      const when = def.when
        ? `Read only when \`${def.when.key}\` is ${def.when.values.map((v) => `\`${v}\``).join(" or ")}.`
        : "";
      const notes = [
        sentence(def.doc),
        def.secret ? "Secret: set it with `pulumi config set --secret`." : "",
        when,
        allowedNote(type, metaOf(def.schema).allowed),
      ].filter((s) => s !== "");
      lines.push(
        `| \`${name}\` | ${cell(type)} | ${cell(defaultCell(def, "dev"))} | ${cell(defaultCell(def, "prod"))} | ${cell(notes.join(" "))} |`,
      );
      for (const f of fieldsOf(def.schema, name)) {
        const doc = [f.doc ? sentence(f.doc) : "", allowedNote(f.type, f.allowed)].filter((s) => s).join(" ");
        const [dev, prod] = TOPOLOGIES.map((t) => (appliesTo(def, t) ? fieldDefault(f, t) : "not used"));
        lines.push(`| \`${f.path}\` | ${cell(f.type)} | ${cell(dev)} | ${cell(prod)} | ${cell(doc)} |`);
      }
    }
    lines.push("");
  }
  return lines.join("\n").trimEnd() + "\n";
}

// ---------------------------------------------------------------------------------------------
// Pulumi.yaml

export interface Declaration {
  readonly type: "string" | "integer" | "boolean";
  readonly description: string;
  readonly default?: string | number | boolean;
}

function cliType(def: KeyDef): Declaration["type"] {
  const t = metaOf(def.schema).type;
  return t === "integer" ? "integer" : t === "boolean" ? "boolean" : "string";
}

/**
 * What Pulumi.yaml may declare: the CLI requires a stack value for every key declared without
 * a default and writes a declared default into every stack's config before the program runs
 * (pulumi v3.248 sdk/go/common/workspace/config.go mergeConfig). So only keys read in every
 * topology, whatever the other keys say, are declared: required everywhere (no default), or
 * with one scalar default that holds everywhere. Secrets are never declared.
 */
export function declarations(defs: Defs): Record<string, Declaration> {
  const out: Record<string, Declaration> = {};
  for (const [name, def] of Object.entries(defs)) {
    if (def.secret || def.when || !TOPOLOGIES.every((t) => appliesTo(def, t))) continue;
    const description = def.doc;
    if (TOPOLOGIES.every((t) => def.required?.includes(t))) {
      out[name] = { type: cliType(def), description };
      continue;
    }
    const values = TOPOLOGIES.map((t) => def.defaults?.[t]);
    const first = values[0];
    const scalar = typeof first === "string" || typeof first === "number" || typeof first === "boolean";
    if (scalar && values.every((v) => isDeepStrictEqual(v, first)))
      out[name] = { type: cliType(def), default: first, description };
  }
  return out;
}

/** A prompt of `pulumi new`: a key (or a field path) and the topologies that read it. */
export interface TemplatePrompt {
  readonly key: string;
  readonly topologies: readonly Topology[];
  /** Pre-filled answer; none where the stack must choose (a hostname, a bucket). */
  readonly default?: string;
  /** What the answer is; the schema's doc when not given. */
  readonly description?: string;
}

/** The doc of a key or a field path (`dr.bucketName`) from the schema. */
export function docAt(defs: Defs, path: string): string | undefined {
  const [top] = path.split(".");
  const def = defs[top];
  if (def === undefined) return undefined;
  if (top === path) return def.doc;
  return fieldsOf(def.schema, top).find((f) => f.path === path)?.doc;
}

/**
 * Pulumi.yaml's `template` section. `pulumi new` prompts for each key and saves the answer
 * under that exact key, without --path (pulumi v3.248 pkg/cmd/pulumi/project/newcmd/config.go
 * promptForConfig, SaveConfig), and leaves an empty answer out: a field path such as
 * `dr.bucketName` becomes a flat key, which decodeStackConfig folds into its structured key.
 */
export function templateSection(
  defs: Defs,
  prompts: readonly TemplatePrompt[],
  description: string,
): { description: string; config: Record<string, { description: string; default?: string }> } {
  const config: Record<string, { description: string; default?: string }> = {};
  for (const p of prompts) {
    const doc = p.description ?? docAt(defs, p.key);
    if (doc === undefined) throw new Error(`template prompt ${p.key}: no such key in the schema`);
    const only =
      p.topologies.length < TOPOLOGIES.length
        ? `${p.topologies.join("/")} only; leave empty otherwise. `
        : "";
    // An empty answer is left out of the stack: say which default it then gets.
    const defaults = TOPOLOGIES.flatMap((t) => {
      const d = defs[p.key]?.defaults?.[t];
      return p.default === undefined && typeof d === "string" ? [`${t}: ${d}`] : [];
    });
    const empty = defaults.length > 0 ? ` Empty for the default (${defaults.join(", ")}).` : "";
    config[p.key.includes(":") ? p.key : `harbor-platform:${p.key}`] = {
      description: `${only}${doc}${empty}`,
      ...(p.default !== undefined ? { default: p.default } : {}),
    };
  }
  return { description, config };
}

/** Pulumi.yaml's text: the fixed head, then the generated `config` and `template`. */
export function pulumiYaml(head: string, config: Record<string, Declaration>, template: object): string {
  return `${head.trimEnd()}\n${stringify({ config, template }, { lineWidth: 0 })}`;
}
