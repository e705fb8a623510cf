// The one error every config rule throws: one line naming the key, the value (never a
// secret's) and what is allowed. The rules themselves are the schema (config/schema/).
import { quantityBytes } from "../policy/concepts/quantity";

export const PROJECT = "harbor-platform";

/** Longest key, value and "what is allowed" a message carries: an error stays one readable line. */
const MAX_KEY = 120;
const MAX_VALUE = 120;
const MAX_ALLOWED = 300;
/** The longest message a ConfigError carries. */
export const MAX_MESSAGE = MAX_KEY + " = ".length + MAX_VALUE + ": ".length + MAX_ALLOWED;

export class ConfigError extends Error {
  /** Whether the value is a secret's (it is never shown). */
  readonly secret: boolean;
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
    options: { readonly secret?: boolean } = {},
  ) {
    const shown = options.secret ? SECRET_SHOWN(value) : show(value);
    super(`${bound(printable(qualify(key)), MAX_KEY)} = ${shown}: ${bound(printable(allowed), MAX_ALLOWED)}`);
    this.name = "ConfigError";
    this.secret = options.secret === true;
  }
}

/** A secret's value is never shown, only whether it is set. */
const SECRET_SHOWN = (value: unknown): string => (value === undefined ? "(unset)" : "(secret)");

/** `hostname` -> `harbor-platform:hostname`; paths inside objects keep their dots. */
export function qualify(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

const bound = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 3)}...` : text;

/**
 * Control, format and line-separator characters as `\uXXXX`: JSON.stringify leaves U+0085,
 * U+2028 and their like raw, and a terminal or log would break the line at them (or hide text).
 */
function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  return bound(printable(JSON.stringify(value) ?? String(value)), MAX_VALUE);
}

/** Whether config key path `key` is `outer` or lies within it (`database.instances` in `database`). */
function within(key: string, outer: string): boolean {
  return key === outer || key.startsWith(`${outer}.`) || key.startsWith(`${outer}[`);
}

/** Whether `key` is, lies within or holds one of the keys stored as secrets. */
export function touchesSecret(key: string, secretKeys: ReadonlySet<string> | undefined): boolean {
  if (secretKeys === undefined) return false;
  for (const s of secretKeys) if (within(key, s) || within(s, key)) return true;
  return false;
}

/** Whether `key` is or lies within a key stored as a secret (its field names came from the secret). */
export function insideSecret(key: string, secretKeys: ReadonlySet<string> | undefined): boolean {
  if (secretKeys === undefined) return false;
  for (const s of secretKeys) if (within(key, s)) return true;
  return false;
}

/** The key a path starts with: `database` of `database.instances`, `dr` of `dr[0]`. */
const topKey = (key: string): string => key.split(/[.[]/)[0];

/** The value at a key path as stored (`database.instances`: a flat key, or a field of `database`). */
function storedAt(raw: Readonly<Record<string, unknown>>, key: string): unknown {
  if (raw[key] !== undefined) return raw[key];
  let at: unknown = raw;
  for (const name of key.split(".")) at = isPlainObject(at) ? at[name] : undefined;
  return at;
}

/** Every text a secret holds: its scalars, and those of the JSON it may be written in. */
function secretTexts(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string") {
    out.add(value);
    if (/^\s*[[{]/.test(value))
      try {
        secretTexts(JSON.parse(value) as unknown, out);
      } catch {
        // Not JSON: the text itself is the secret.
      }
  } else if (typeof value === "number" || typeof value === "boolean") out.add(String(value));
  else if (Array.isArray(value)) value.forEach((v) => secretTexts(v, out));
  else if (isPlainObject(value)) Object.values(value).forEach((v) => secretTexts(v, out));
  return out;
}

/** Shorter texts are no secret worth the name, and would be found in every rule's own words. */
const MIN_REDACTED = 3;

/**
 * `err` as it may be shown when `secretKeys` are stored as secrets (`pulumi config set
 * --secret`), whichever rule built it: the value hidden when its key is, holds or lies within
 * one of them, and any secret's text elsewhere in the line (a cross-key rule quoting another
 * key's value) replaced by `(secret)`.
 */
export function withSecretsHidden(
  err: ConfigError,
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
): ConfigError {
  const texts = new Set<string>();
  for (const k of secretKeys) secretTexts(storedAt(raw, k), texts);
  const patterns = [...texts]
    .filter((t) => t.length >= MIN_REDACTED)
    .sort((a, b) => b.length - a.length)
    .map(
      (t) =>
        new RegExp(
          `(?<![\\p{L}\\p{N}_])${t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_])`,
          "gu",
        ),
    );
  const redact = (text: string) => patterns.reduce((t, p) => t.replace(p, "(secret)"), text);
  const top = topKey(err.key);
  const key = top + redact(err.key.slice(top.length));
  const allowed = redact(err.allowed);
  const secret = err.secret || touchesSecret(err.key, secretKeys);
  if (key === err.key && allowed === err.allowed && secret === err.secret) return err;
  return new ConfigError(key, err.value, allowed, { secret });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Bytes in a size `size()` accepted. */
export function bytesOf(quantity: string): number {
  const bytes = quantityBytes(quantity);
  if (bytes === undefined) throw new Error(`not a size: ${quantity}`);
  return Number(bytes);
}
