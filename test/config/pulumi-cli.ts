// What the Pulumi CLI does with Pulumi.yaml and a stack file before the program runs, so the
// tests can hold both to the CLI's own rules. The CLI is not installable here; these rules are
// read from its source at the tag matching the pinned SDK (pulumi/pulumi v3.248.0):
//   sdk/go/common/workspace/project.go  ValidateProject (project.json schema), RewriteShorthandConfigValues,
//                                       Project.Validate, ValidateConfigValue
//   sdk/go/common/workspace/config.go   mergeConfig (missing keys, defaults written into the
//                                       stack's config), validateStackConfigValue (secret, type)
//   sdk/go/common/resource/config/value.go  a scalar stack value is kept as its text, `secure:`
//                                       as a secret, anything else as JSON (an "object" value)
// and summarised in the pinned upstream folder pulumi-project/SOURCE.md. The schema itself is
// the pinned copy of project.json.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { isMap, isScalar, parseDocument, type Node } from "yaml";

/** A `Pulumi.yaml` config declaration after the CLI's shorthand rewrite. */
export interface ConfigDeclaration {
  readonly type?: string;
  readonly items?: ItemsType;
  readonly description?: string;
  readonly secret?: boolean;
  readonly default?: unknown;
  readonly value?: unknown;
}
interface ItemsType {
  readonly type: string;
  readonly items?: ItemsType;
}

export interface Project {
  readonly name: string;
  readonly config: Readonly<Record<string, ConfigDeclaration>>;
}

/** One stack config value as the CLI holds it (config.Value). */
export interface StackValue {
  /** The text: a scalar's source text, the ciphertext of a secure value, or JSON of an object. */
  readonly text: string;
  readonly secure: boolean;
  readonly object: boolean;
}
export type StackConfig = Map<string, StackValue>;

/** Stand-in secrets provider: how the tests "encrypt" a value set with `--secret`. */
export const encrypt = (plaintext: string): string => `v1:${Buffer.from(plaintext).toString("base64")}`;
const decrypt = (ciphertext: string): string => {
  if (!ciphertext.startsWith("v1:")) throw new Error(`not a test ciphertext: ${ciphertext}`);
  return Buffer.from(ciphertext.slice(3), "base64").toString();
};

/**
 * Validates a parsed Pulumi.yaml like `ValidateProject` (JSON schema, then the shorthand rewrite
 * and `Project.Validate`). Returns the project, or throws the CLI's message.
 */
export function loadProject(raw: unknown, projectSchemaFile: string): Project {
  const schema = JSON.parse(readFileSync(projectSchemaFile, "utf8")) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(schema);
  if (!validate(raw)) {
    throw new Error(
      (validate.errors ?? []).map((e) => `#${e.instancePath}: ${e.message ?? "invalid"}`).join("; "),
    );
  }
  const doc = raw as { name: string; config?: Record<string, unknown> };
  const name = doc.name;
  const config: Record<string, ConfigDeclaration> = {};
  for (const [key, decl] of Object.entries(doc.config ?? {})) {
    const ownKey = !key.includes(":") || key.startsWith(`${name}:`);
    // RewriteShorthandConfigValues: a primitive or list is a default (own key) or value (foreign).
    const isShorthand = decl === null || typeof decl !== "object" || Array.isArray(decl);
    config[key] = isShorthand ? (ownKey ? { default: decl } : { value: decl }) : (decl as ConfigDeclaration);
  }
  for (const [key, decl] of Object.entries(config)) {
    const ownKey = !key.includes(":") || key.startsWith(`${name}:`);
    if (decl.default !== undefined && decl.value !== undefined)
      throw new Error(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    if (ownKey) {
      if (decl.type === "array" && !decl.items)
        throw new Error(
          `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
        );
      if (
        decl.type !== undefined &&
        decl.default !== undefined &&
        !validValue(decl.type, decl.items, decl.default)
      )
        throw new Error(
          `The default value specified for configuration key '${key}' is not of the expected type '${typeName(decl)}'`,
        );
    } else {
      if (decl.type !== undefined)
        throw new Error(
          `Configuration key '${key}' is not namespaced by the project and should not define a type`,
        );
      if (decl.default !== undefined)
        throw new Error(
          `Configuration key '${key}' is not namespaced by the project and should not define a default value`,
        );
      if (decl.value === undefined)
        throw new Error(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
  return { name, config };
}

function typeName(decl: { type?: string; items?: ItemsType }): string {
  return decl.items ? `array<${typeName(decl.items)}>` : (decl.type ?? "");
}

/** `ValidateConfigValue`: the Go type checks, including their leniencies (numeric strings). */
function validValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      if (typeof value === "number") return Number.isInteger(value);
      // strconv.Atoi: optional sign, decimal digits, within int64.
      return typeof value === "string" && /^[+-]?\d+$/.test(value) && Number.isSafeInteger(Number(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      return (
        Array.isArray(value) &&
        items !== undefined &&
        value.every((v) => validValue(items.type, items.items, v))
      );
  }
}

/**
 * A stack file's `config:` as the CLI reads it: a scalar keeps its source text (the YAML is
 * unmarshalled into a Go string first), `{secure: ...}` is a secret, anything else becomes JSON.
 */
export function readStackFile(text: string): StackConfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
  const out: StackConfig = new Map();
  const config = isMap(doc.contents) ? doc.contents.get("config", true) : undefined;
  if (config === undefined || config === null) return out;
  if (!isMap(config)) throw new Error("config: must be a mapping");
  for (const item of config.items) {
    const key = String(isScalar(item.key) ? item.key.value : item.key);
    out.set(key, stackValue(item.value as Node | null));
  }
  return out;
}

function stackValue(node: Node | null): StackValue {
  if (node === null) return { text: "", secure: false, object: false };
  if (isScalar(node)) return { text: node.source ?? String(node.value), secure: false, object: false };
  const value: unknown = node.toJSON();
  if (isSecure(value)) return { text: value.secure, secure: true, object: false };
  return { text: JSON.stringify(value), secure: containsSecure(value), object: true };
}

function isSecure(v: unknown): v is { secure: string } {
  return (
    v !== null &&
    typeof v === "object" &&
    Object.keys(v).length === 1 &&
    typeof (v as { secure?: unknown }).secure === "string"
  );
}
function containsSecure(v: unknown): boolean {
  if (isSecure(v)) return true;
  if (v !== null && typeof v === "object") return Object.values(v).some(containsSecure);
  return false;
}

/** Go's fmt "%v" of a YAML-decoded primitive, or JSON for anything else (createConfigValue). */
function defaultValue(value: unknown): StackValue {
  if (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isInteger(value))
  )
    return { text: String(value), secure: false, object: false };
  return { text: JSON.stringify(value), secure: false, object: true };
}

const fullKey = (project: Project, key: string) => (key.includes(":") ? key : `${project.name}:${key}`);

/**
 * `mergeConfig` + `validateStackConfigValues`: what `pulumi preview`/`up` does to a stack's
 * config before the program starts. Returns the stack's config with the declared defaults
 * written in, or throws the CLI's error.
 */
export function applyCliRules(stack: string, project: Project, config: StackConfig): StackConfig {
  const merged: StackConfig = new Map(config);
  const missing: string[] = [];
  for (const key of Object.keys(project.config).sort()) {
    const decl = project.config[key];
    const k = fullKey(project, key);
    if (merged.has(k)) continue;
    const fallback = decl.default ?? decl.value;
    if (fallback === undefined) {
      if (k.startsWith(`${project.name}:`)) missing.push(key);
      continue;
    }
    merged.set(k, defaultValue(fallback));
  }
  if (missing.length > 0) {
    missing.sort();
    const list =
      missing.length === 1
        ? `'${missing[0]}'`
        : `${missing
            .slice(0, -1)
            .map((m) => `'${m}'`)
            .join(", ")} and '${missing[missing.length - 1]}'`;
    throw new Error(
      `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${list}`,
    );
  }
  for (const key of Object.keys(project.config).sort()) {
    const decl = project.config[key];
    if (decl.type === undefined) continue;
    const value = merged.get(fullKey(project, key)) ?? { text: "", secure: false, object: false };
    if (decl.secret && !value.secure)
      throw new Error(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`);
    const plain = value.secure && !value.object ? decrypt(value.text) : value.text;
    const content: unknown = value.object ? JSON.parse(plain) : plain;
    if (!validValue(decl.type, decl.items, content))
      throw new Error(`Stack '${stack}' with configuration key '${key}' must be of type '${typeName(decl)}'`);
  }
  return merged;
}

/**
 * The config map the program receives (`pulumi.runtime.allConfig()`): every value as text,
 * secure values decrypted, objects as JSON with their nested secure values decrypted.
 */
export function runtimeConfig(config: StackConfig): Record<string, string> {
  const reveal = (v: unknown): unknown => {
    if (isSecure(v)) return decrypt(v.secure);
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
  };
  const out: Record<string, string> = {};
  for (const [key, value] of config) {
    if (value.object) out[key] = JSON.stringify(reveal(JSON.parse(value.text)));
    else out[key] = value.secure ? decrypt(value.text) : value.text;
  }
  return out;
}
