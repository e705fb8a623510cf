// One Ajv set-up for chart value schemas and CRD schemas: strict mode off because both carry
// vendor keywords (x-kubernetes-*, OpenAPI `nullable`, Helm annotations) that are not JSON Schema.
import Ajv, { ErrorObject, Options, ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { JsonSchema } from "./types";

type Draft = "07" | "2019-09" | "2020-12";
const instances = new Map<Draft, Ajv>();

function ajv(draft: Draft): Ajv {
  let instance = instances.get(draft);
  if (!instance) {
    const options: Options = { strict: false, allErrors: true, logger: false, validateSchema: false };
    instance =
      draft === "2020-12"
        ? new Ajv2020(options)
        : draft === "2019-09"
          ? new Ajv2019(options)
          : new Ajv(options);
    addFormats(instance);
    instances.set(draft, instance);
  }
  return instance;
}

/** Compiles with the draft the schema declares (draft-07 when it declares none, as CRDs don't). */
export function compile(schema: JsonSchema): ValidateFunction {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  const draft: Draft = declared.includes("2020-12")
    ? "2020-12"
    : declared.includes("2019-09")
      ? "2019-09"
      : "07";
  const copy = { ...schema };
  delete copy.$schema; // the meta-schemas are not loaded; the draft is chosen above
  return ajv(draft).compile(copy);
}

/** `/spec/instances` -> `spec.instances`, `/a/0/b` -> `a[0].b`, with `base` prefixed. */
export function jsonPath(base: string, instancePath: string): string {
  let out = base;
  for (const raw of instancePath.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += /^[A-Za-z_][\w-]*$/.test(part) ? (out ? `.${part}` : part) : `[${JSON.stringify(part)}]`;
  }
  return out || "(root)";
}

export function describeErrors(base: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = jsonPath(base, e.instancePath);
    if (e.keyword === "additionalProperties")
      return `${where}: unknown field "${String(e.params.additionalProperty)}"`;
    const allowed = e.keyword === "enum" ? ` (${JSON.stringify(e.params.allowedValues)})` : "";
    return `${where}: ${e.message ?? e.keyword}${allowed}`;
  });
}
