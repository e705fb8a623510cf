// Pure validation primitives shared by every config section. Each failure is a ConfigError
// whose message is one line naming the key, the value and what is allowed.
import { CRON_DIALECTS, parseCron, type CronDialect, type CronSchedule } from "../policy/concepts/cron";
import { goDurationSeconds } from "../policy/concepts/duration";
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

export type Raw = unknown;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function requireValue<T>(key: string, value: T | undefined, allowed: string): T {
  if (value === undefined || value === null || value === "")
    throw new ConfigError(key, value, `required: ${allowed}`);
  return value;
}

export function str(key: string, value: Raw, allowed = "a non-empty string"): string {
  if (typeof value !== "string" || value.trim() === "") throw new ConfigError(key, value, allowed);
  return value;
}

export function optStr(key: string, value: Raw, fallback: string, allowed?: string): string {
  return value === undefined ? fallback : str(key, value, allowed);
}

export function bool(key: string, value: Raw, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new ConfigError(key, value, "true or false");
}

export function int(
  key: string,
  value: Raw,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new ConfigError(key, value, range);
  }
  return n;
}

export function oneOf<T extends string>(key: string, value: Raw, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, value, `one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** An object whose keys must all be in `allowed` (typos are refused, not ignored). */
export function obj(key: string, value: Raw, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ConfigError(key, value, `an object with keys ${allowed.join(", ")}`);
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) {
      throw new ConfigError(
        `${key}.${k}`,
        value[k],
        `unknown key; allowed keys of ${key}: ${allowed.join(", ")}`,
      );
    }
  }
  return value;
}

export function list(key: string, value: Raw): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(key, value, "a list");
  return value;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A fully qualified DNS name (at least two labels, lower case). */
export function hostname(key: string, value: Raw): string {
  const allowed = "a lower-case DNS name with at least two labels, like registry.example.com";
  if (typeof value !== "string" || value.length > 253) throw new ConfigError(key, value, allowed);
  const labels = value.split(".");
  if (
    labels.length < 2 ||
    !labels.every((l) => DNS_LABEL.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1])
  ) {
    throw new ConfigError(key, value, allowed);
  }
  return value;
}

/** A Kubernetes object name (RFC 1123 label): namespaces, storage classes, secrets. */
export function k8sName(key: string, value: Raw, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !DNS_LABEL.test(value)) {
    throw new ConfigError(key, value, "a Kubernetes name: lower-case letters, digits and '-', at most 63");
  }
  return value;
}

const SIZE_ALLOWED = "a positive size in whole bytes (a Kubernetes quantity), like 512Mi, 10Gi or 500G";

/** A storage size (policy/concepts/quantity.ts): `10Gi`, `500G`; never `10m`, which is milli. */
export function size(key: string, value: Raw, fallback?: string): string {
  const text = value === undefined && fallback !== undefined ? fallback : value;
  if (typeof text !== "string" || quantityBytes(text) === undefined)
    throw new ConfigError(key, value, SIZE_ALLOWED);
  return text;
}

/** Bytes in a size `size()` accepted. */
export function bytesOf(quantity: string): number {
  const bytes = quantityBytes(quantity);
  if (bytes === undefined) throw new Error(`not a size: ${quantity}`);
  return Number(bytes);
}

/**
 * A cron schedule as the component that runs it reads it (policy/concepts/cron.ts); the
 * policy pack measures Harbor's schedules with the same code.
 */
export function cron(key: string, value: Raw, dialect: CronDialect): CronSchedule {
  const allowed = CRON_DIALECTS[dialect].allowed;
  if (typeof value !== "string") throw new ConfigError(key, value, allowed);
  const result = parseCron(value, dialect);
  if (!result.ok)
    throw new ConfigError(key, value, result.reason === undefined ? allowed : `${allowed}; ${result.reason}`);
  return result.schedule;
}

/**
 * A positive Go duration (Harbor's registry and Velero read them with time.ParseDuration:
 * `168h`, `1h30m`, `90s`) and its length in seconds.
 */
export function duration(key: string, value: Raw, fallback?: string): { text: string; seconds: number } {
  const text = value === undefined && fallback !== undefined ? fallback : value;
  const seconds = typeof text === "string" ? goDurationSeconds(text) : undefined;
  if (typeof text !== "string" || seconds === undefined || seconds <= 0) {
    throw new ConfigError(key, value, "a positive duration like 24h, 30m or 1h30m");
  }
  return { text, seconds };
}

export function httpsUrl(key: string, value: Raw): string {
  const allowed = "an https:// URL";
  if (typeof value !== "string") throw new ConfigError(key, value, allowed);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, value, allowed);
  }
  if (url.protocol !== "https:") throw new ConfigError(key, value, allowed);
  return value;
}
