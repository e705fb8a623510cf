// The harness records registrations in this shape; the suite checks them.
export type { Registered } from "../harness";

/** A JSON Schema (or an OpenAPI v3 schema from a CRD) as parsed from disk. */
export type JsonSchema = Record<string, unknown>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
