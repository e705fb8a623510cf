// Applies the schema (a record of KeyDefs) to a stack's raw config: topology first, then
// unknown keys (with a did-you-mean), then every key in its declared order with its
// topology's default, its applicability, its secrecy and its zod schema. Cross-key rules
// live with the sections that own them (config/*.ts) and run on the typed values.
import type { z } from "zod";
import { ConfigError, touchesSecret } from "../validate";
import { TOPOLOGIES, appliesTo, isStructured, type KeyDef, type Topology } from "./define";
import { issueToError, unknownKeyMessage } from "./errors";

export type KeyDefs = Readonly<Record<string, KeyDef>>;

/** A key's parsed value type. */
export type ValueOf<D extends KeyDef> = z.output<D["schema"]>;

/** A config key the stack names as holding a secret (`logging.credentialsSecret: elkApiKey`). */
export interface SecretRef {
  /** The key holding the secret. */
  readonly key: string;
  /** Which setting named it, for the error: `logging.credentialsSecret`. */
  readonly by: string;
  /** What the secret must be; checked at parse time, its value never shown. */
  readonly format?: z.ZodType;
}

export interface ParseOptions {
  /**
   * Keys stored as secrets (`pulumi config set --secret`), unqualified. When given, a key the
   * schema documents as secret but stored in plain text is refused.
   */
  readonly secretKeys?: ReadonlySet<string>;
}

/**
 * A key of another namespace (`aws:region`): its own provider reads it too, so a topology that
 * does not read it leaves it alone instead of refusing it.
 */
export const isForeignKey = (key: string): boolean => key.includes(":");

export class ParsedKeys<D extends KeyDefs> {
  constructor(
    readonly topology: Topology,
    private readonly values: ReadonlyMap<string, unknown>,
    /** The keys the stack set explicitly (before defaults). */
    readonly explicit: ReadonlySet<string>,
  ) {}

  /** A key's value (the stack's or its topology's default); throws if the key has none. */
  get<K extends keyof D & string>(key: K): ValueOf<D[K]> {
    if (!this.values.has(key))
      throw new Error(`config key ${key} has no value for topology ${this.topology}`);
    return this.values.get(key) as ValueOf<D[K]>;
  }

  /** A key's value, or undefined when it has none (not set, no default, or not read here). */
  opt<K extends keyof D & string>(key: K): ValueOf<D[K]> | undefined {
    return this.values.get(key) as ValueOf<D[K]> | undefined;
  }

  isSet(key: keyof D & string): boolean {
    return this.explicit.has(key);
  }
}

/** Whether `key`'s value is a secret's: the schema says so, or the stack stores it (or a field of it) as one. */
const isSecret = (defs: KeyDefs, key: string, options: ParseOptions): boolean =>
  defs[key]?.secret === true || touchesSecret(key, options.secretKeys);

/**
 * What a structured key set as text is told: where structured config goes. Text on the command
 * line reaches the program as a string, decoded only when it is JSON.
 */
export function structuredHint(key: string): string {
  return `structured config (an object or list); set it in Pulumi.<stack>.yaml, or one field at a time with pulumi config set --path '${key}.<field>' <value>`;
}

function secretHint(key: string): string {
  return `a secret: set it with pulumi config set --secret ${key} <value>`;
}

/** Every string leaf of the structured values: the names a structured key might give a secret key. */
function stringLeaves(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => stringLeaves(v, out));
  else if (value !== null && typeof value === "object")
    Object.values(value).forEach((v) => stringLeaves(v, out));
  return out;
}

/**
 * Parses `raw` against `defs`. Keys outside `defs` that a structured value names are returned
 * as `deferred`: once the sections have said which secrets they name, `checkSecretRefs`
 * accepts exactly those.
 */
export function parseKeys<D extends KeyDefs>(
  defs: D,
  raw: Readonly<Record<string, unknown>>,
  topologyKey: keyof D & string,
  options: ParseOptions = {},
): { readonly parsed: ParsedKeys<D>; readonly deferred: readonly string[] } {
  const topology = parseOne(defs, topologyKey, raw[topologyKey], options) as Topology;
  const known = Object.keys(defs);
  // A key outside the schema is either a secret a structured value names, or a typo.
  const named = new Set<string>();
  for (const k of known) if (isStructured(defs[k].schema)) stringLeaves(raw[k], named);
  const deferred: string[] = [];
  for (const k of Object.keys(raw)) {
    if (k in defs) continue;
    // A key stored as a secret is most likely one a section names: judged after the sections.
    if (named.has(k) || options.secretKeys?.has(k)) deferred.push(k);
    else throw new ConfigError(k, raw[k], unknownKeyMessage(k, known, "known keys"));
  }

  const values = new Map<string, unknown>();
  const explicit = new Set<string>();
  for (const [k, def] of Object.entries(defs)) {
    const value = raw[k];
    if (!appliesTo(def, topology)) {
      if (value !== undefined && !isForeignKey(k)) {
        const only = (def.topologies ?? []).join(", ");
        throw new ConfigError(
          k,
          value,
          `only used by topology ${only}; remove it from the ${topology} stack`,
          { secret: isSecret(defs, k, options) },
        );
      }
      continue;
    }
    if (def.when) {
      const gate = String(raw[def.when.key] ?? def.when.fallback);
      if (!def.when.values.includes(gate)) {
        if (value !== undefined)
          throw new ConfigError(
            k,
            value,
            `only used when ${def.when.key} is ${def.when.values.join(" or ")} (it is ${gate}); remove it`,
            { secret: isSecret(defs, k, options) },
          );
        continue;
      }
    }
    if (value !== undefined) explicit.add(k);
    const effective = value ?? def.defaults?.[topology];
    if (effective === undefined) {
      if (def.required?.includes(topology)) {
        // Required everywhere: the schema's own refusal says what to set.
        if (def.when === undefined && TOPOLOGIES.every((t) => def.required?.includes(t)) && !def.secret)
          parseOne(defs, k, undefined, options);
        const where = def.when
          ? `when ${def.when.key} is ${def.when.values.join(" or ")}`
          : `for topology ${topology}`;
        const hint = def.secret ? secretHint(k) : def.requiredHint;
        throw new ConfigError(k, undefined, `required ${where}${hint ? `: ${hint}` : ""}`);
      }
      continue;
    }
    values.set(k, parseOne(defs, k, effective, options, value !== undefined));
  }
  return { parsed: new ParsedKeys<D>(topology, values, explicit), deferred };
}

/** Refuses a deferred key no section named, and checks every named secret: set, secret, well-formed. */
export function checkSecretRefs(
  defs: KeyDefs,
  raw: Readonly<Record<string, unknown>>,
  deferred: readonly string[],
  refs: readonly SecretRef[],
  options: ParseOptions = {},
): void {
  const known = Object.keys(defs);
  for (const k of deferred)
    if (!refs.some((r) => r.key === k))
      throw new ConfigError(k, raw[k], unknownKeyMessage(k, known, "known keys"), {
        secret: options.secretKeys?.has(k) ?? true,
      });
  for (const ref of refs) {
    const value = raw[ref.key];
    if (value === undefined)
      throw new ConfigError(ref.key, undefined, `required by ${ref.by}: ${secretHint(ref.key)}`);
    if (options.secretKeys && !options.secretKeys.has(ref.key))
      throw new ConfigError(ref.key, value, `stored in plain text; ${secretHint(ref.key)}`, { secret: true });
    if (ref.format) {
      const result = ref.format.safeParse(value);
      if (!result.success) throw issueToError(ref.key, ref.format, value, result.error, true);
    }
  }
}

function parseOne(defs: KeyDefs, k: string, value: unknown, options: ParseOptions, explicit = true): unknown {
  const def = defs[k];
  if (def.secret && explicit && value !== undefined && options.secretKeys && !options.secretKeys.has(k))
    throw new ConfigError(k, value, `stored in plain text; ${secretHint(k)}`, { secret: true });
  const secret = isSecret(defs, k, options);
  if (typeof value === "string" && isStructured(def.schema))
    throw new ConfigError(k, value.length > 40 ? `${value.slice(0, 37)}...` : value, structuredHint(k), {
      secret,
    });
  const result = def.schema.safeParse(value);
  if (!result.success)
    throw issueToError(k, def.schema, value, result.error, def.secret === true, options.secretKeys);
  return result.data;
}
