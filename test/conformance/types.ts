// The shape of one resource registered by a stack under the SDK's mocks. Defined here so the
// conformance suite does not wait on the lead's harness; the lead reconciles the two.
export interface Registered {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  secretPaths: string[];
  dependencies: string[];
  protect: boolean;
  parent?: string;
}

/** A JSON Schema (or an OpenAPI v3 schema from a CRD) as parsed from disk. */
export type JsonSchema = Record<string, unknown>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
