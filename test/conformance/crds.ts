// Custom resource checks: each object validates against its upstream CRD schema made strict
// (unknown fields refused, as the API server would silently prune them), or, for the
// prometheus-operator and cert-manager kinds that have no CRD copy, against the
// @kubernetes-models classes. A kind with neither is a problem, never a silent pass.
import { ValidateFunction } from "ajv";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { compile, describeErrors } from "./ajv";
import { crdIndex } from "./upstream";
import { isObject, JsonSchema } from "./types";

const COMBINATORS = ["allOf", "anyOf", "oneOf"];

/**
 * A deep copy of a CRD's openAPIV3Schema that plain JSON Schema can enforce strictly:
 * `additionalProperties: false` on every object node that lists `properties` unless it keeps
 * unknown fields (`x-kubernetes-preserve-unknown-fields`); int-or-string becomes an anyOf;
 * `nullable` admits null; CEL rules (`x-kubernetes-validations`) are dropped (not JSON Schema).
 * Branches of allOf/anyOf/oneOf only add constraints in structural schemas, so they are not
 * closed (closing a branch would refuse the properties declared beside it).
 */
export function strictSchema(schema: JsonSchema, inBranch = false): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, value] of Object.entries(schema)) {
    if (k === "x-kubernetes-validations") continue;
    if (k === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isObject(sub) ? strictSchema(sub) : sub]),
      );
    } else if ((k === "items" || k === "additionalProperties" || k === "not") && isObject(value)) {
      out[k] = strictSchema(value);
    } else if (COMBINATORS.includes(k) && Array.isArray(value)) {
      out[k] = value.map((branch: unknown) => (isObject(branch) ? strictSchema(branch, true) : branch));
    } else {
      out[k] = value;
    }
  }
  if (schema["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }, ...(Array.isArray(out.anyOf) ? out.anyOf : [])];
  }
  if (schema.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  if (schema["x-kubernetes-embedded-resource"] === true && isObject(out.properties)) {
    out.properties = {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      ...out.properties,
    };
  }
  const keepsUnknown = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (!inBranch && !keepsUnknown && isObject(out.properties) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

// Gateway API has no upstream CRD copy here. HTTPRoute gets a small hand-written v1 schema
// (the fields of gateway-api apis/v1/httproute_types.go down to rules) so typos in the parts
// the platform writes are still refused; filters and match details are left open.
const OPEN = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
const HTTP_ROUTE: JsonSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        parentRefs: {
          type: "array",
          items: {
            type: "object",
            required: ["name"],
            properties: {
              group: { type: "string" },
              kind: { type: "string" },
              namespace: { type: "string" },
              name: { type: "string" },
              sectionName: { type: "string" },
              port: { type: "integer" },
            },
          },
        },
        hostnames: { type: "array", items: { type: "string" } },
        rules: {
          type: "array",
          items: {
            type: "object",
            properties: {
              name: { type: "string" },
              matches: { type: "array", items: OPEN },
              filters: { type: "array", items: OPEN },
              backendRefs: {
                type: "array",
                items: {
                  type: "object",
                  required: ["name"],
                  properties: {
                    group: { type: "string" },
                    kind: { type: "string" },
                    name: { type: "string" },
                    namespace: { type: "string" },
                    port: { type: "integer" },
                    weight: { type: "integer" },
                    filters: { type: "array", items: OPEN },
                  },
                },
              },
              timeouts: {
                type: "object",
                properties: { request: { type: "string" }, backendRequest: { type: "string" } },
              },
              retry: OPEN,
              sessionPersistence: OPEN,
            },
          },
        },
      },
    },
    status: OPEN,
  },
};
// Traefik's CRDs are not pinned here either (the ingress controller is the user's): the
// ServersTransport fields the platform writes, from Traefik's v3 reference, the rest refused.
const SERVERS_TRANSPORT: JsonSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        serverName: { type: "string" },
        insecureSkipVerify: { type: "boolean" },
        rootCAsSecrets: { type: "array", items: { type: "string" } },
        certificatesSecrets: { type: "array", items: { type: "string" } },
        maxIdleConnsPerHost: { type: "integer" },
        forwardingTimeouts: OPEN,
        disableHTTP2: { type: "boolean" },
        peerCertURI: { type: "string" },
      },
    },
  },
};
const BUILT_IN: ReadonlyMap<string, JsonSchema> = new Map([
  ["gateway.networking.k8s.io/v1/HTTPRoute", HTTP_ROUTE],
  ["traefik.io/v1alpha1/ServersTransport", SERVERS_TRANSPORT],
]);

type Check = (data: Record<string, unknown>) => void;

/** Wraps a model class; the cast is the point: the data is untrusted until validate() ran. */
function model<T>(Model: new (data: T) => { validate(): void }): Check {
  return (data) => new Model(data as unknown as T).validate();
}

/** Kinds without a CRD copy, checked with the @kubernetes-models classes instead. */
const MODELS: ReadonlyMap<string, Check> = new Map([
  ["monitoring.coreos.com/v1/ServiceMonitor", model(ServiceMonitor)],
  ["monitoring.coreos.com/v1/PodMonitor", model(PodMonitor)],
  ["monitoring.coreos.com/v1/PrometheusRule", model(PrometheusRule)],
  ["cert-manager.io/v1/Certificate", model(Certificate)],
  ["cert-manager.io/v1/Issuer", model(Issuer)],
  ["cert-manager.io/v1/ClusterIssuer", model(ClusterIssuer)],
]);

const validators = new Map<string, ValidateFunction>();

/** The strict validator for one "group/version/Kind", compiled once on first use. */
function validatorFor(id: string): ValidateFunction | undefined {
  const cached = validators.get(id);
  if (cached) return cached;
  const schema = BUILT_IN.get(id) ?? crdIndex().get(id);
  if (!schema) return undefined;
  const strict = strictSchema(schema);
  // metadata is checked by metadataProblems; CRDs only say `type: object` for it anyway.
  if (isObject(strict.properties)) strict.properties = { ...strict.properties, metadata: { type: "object" } };
  const validate = compile(strict);
  validators.set(id, validate);
  return validate;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const METADATA_FIELDS = new Set([
  "name",
  "namespace",
  "labels",
  "annotations",
  "finalizers",
  "ownerReferences",
]);

/** Minimal ObjectMeta checks: an explicit DNS-1123 name, namespace label, string maps. */
export function metadataProblems(metadata: unknown): string[] {
  if (!isObject(metadata)) return ["metadata: required mapping with at least a name"];
  const problems: string[] = [];
  const { name, namespace } = metadata;
  if (typeof name !== "string" || name === "")
    problems.push("metadata.name: required (set it explicitly; Pulumi autonaming is not visible offline)");
  else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    problems.push(`metadata.name: "${name}" is not a DNS-1123 subdomain`);
  if (
    namespace !== undefined &&
    (typeof namespace !== "string" || !DNS1123_LABEL.test(namespace) || namespace.length > 63)
  )
    problems.push(`metadata.namespace: ${JSON.stringify(namespace)} is not a DNS-1123 label`);
  for (const field of ["labels", "annotations"]) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (!isObject(map)) problems.push(`metadata.${field}: must be a mapping of strings`);
    else
      for (const [k, v] of Object.entries(map))
        if (typeof v !== "string") problems.push(`metadata.${field}[${JSON.stringify(k)}]: must be a string`);
  }
  for (const k of Object.keys(metadata))
    if (!METADATA_FIELDS.has(k)) problems.push(`metadata: unknown field "${k}"`);
  return problems;
}

function modelProblems(check: Check, obj: Record<string, unknown>): string[] {
  try {
    check(obj);
    return [];
  } catch (error: unknown) {
    const errors = isObject(error) && Array.isArray(error.errors) ? error.errors : undefined;
    return errors ? describeErrors("", errors) : [String(error)];
  }
}

/**
 * Problems with one custom resource `{ apiVersion, kind, metadata, spec, ... }`, each prefixed
 * with `Kind/name` and giving the JSON path.
 */
export function customResourceProblems(obj: Record<string, unknown>): string[] {
  const { apiVersion, kind } = obj;
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const label = `${String(kind)}/${typeof meta.name === "string" ? meta.name : "(unnamed)"}`;
  if (typeof apiVersion !== "string" || typeof kind !== "string")
    return [`${label}: apiVersion and kind must be strings`];
  const id = `${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}/${kind}`;
  const problems = metadataProblems(obj.metadata);
  const Model = MODELS.get(id);
  const validate = Model ? undefined : validatorFor(id);
  if (Model) problems.push(...modelProblems(Model, obj));
  else if (validate) {
    if (!validate(obj)) problems.push(...describeErrors("", validate.errors));
  } else
    problems.push(
      `no schema for ${apiVersion} ${kind}: add its CRD to a *-crds folder of the upstream data, or a model/built-in check`,
    );
  return problems.map((p) => `${label}: ${p}`);
}
