// The one error every config rule throws: one line naming the key, the value (never a
// secret's) and what is allowed. The rules themselves are the schema (config/schema/).
import { quantityBytes } from "../policy/concepts/quantity";

export const PROJECT = "harbor-platform";

/** Longest "what is allowed" a message carries: an error stays one readable line. */
const MAX_ALLOWED = 300;

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
    options: { readonly secret?: boolean } = {},
  ) {
    const bounded = allowed.length > MAX_ALLOWED ? `${allowed.slice(0, MAX_ALLOWED - 3)}...` : allowed;
    super(`${qualify(key)} = ${options.secret ? SECRET_SHOWN(value) : show(value)}: ${bounded}`);
    this.name = "ConfigError";
  }
}

/** A secret's value is never shown, only whether it is set. */
const SECRET_SHOWN = (value: unknown): string => (value === undefined ? "(unset)" : "(secret)");

/** `hostname` -> `harbor-platform:hostname`; paths inside objects keep their dots. */
export function qualify(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
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
