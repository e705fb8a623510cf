// Runs the pack's policies offline, the way the CrossGuard analyzer does, over a list of
// resources (for tests and for the offline stack runs). No PolicyPack is constructed: that
// starts a gRPC server and may exit the process. Like the analyzer (@pulumi/policy 1.21
// server.js, proxy.js), stack policies get each resource's property dependencies, a policy
// may call notApplicable, and a policy that reads a value unknown in a preview does not run:
// it is reported as an advisory "can't run during preview" instead.
import type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyPackConfig,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { detectTopology, type Topology } from "./topology";

/** A resource as the program registers it. */
export interface PackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  readonly protect?: boolean;
  readonly parent?: string;
  /** URNs this resource depends on. */
  readonly dependencies?: readonly string[];
  /** Per top-level input, the URNs whose outputs flow into it. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
  /** The policy read a value unknown in a preview and could not run (always advisory). */
  readonly blind?: boolean;
}

export interface RunOptions {
  /** Pack config as given to `--policy-pack-config` (per-policy level and properties). */
  readonly config?: PolicyPackConfig;
  /** Overrides topology detection (detectTopology) for the level of data-safety policies. */
  readonly topology?: Topology;
}

/** Tag that marks a policy as data safety: advisory in dev, mandatory in prod. */
export const DATA_SAFETY_TAG = "data-safety";

class NotApplicable extends Error {}

/** A policy read a value the engine sent as unknown (a preview). */
class UnknownValue extends Error {
  constructor(readonly path: string) {
    super(`value at .${path} can't be known during preview`);
  }
}

/** Wraps `value` so that reading an unknown field throws UnknownValue, as the analyzer's proxy does. */
function unknownChecking<T>(value: T, path: readonly string[] = []): T {
  if (!(value instanceof Object)) return value;
  return new Proxy(value, {
    get(target, prop) {
      const field: unknown = Reflect.get(target, prop);
      const at = [...path, String(prop)];
      if (field === unknownValue) throw new UnknownValue(at.join("."));
      // A non-configurable, read-only property must come back as itself (Proxy invariant).
      const desc = Object.getOwnPropertyDescriptor(target, prop);
      if (desc && "value" in desc && !desc.configurable && !desc.writable) return field;
      return unknownChecking(field, at);
    },
  });
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * The level a policy runs at: the pack config's level when given, else for data-safety
 * policies the stack's topology (prod mandatory, dev advisory), else the policy's own default.
 * policy/config/<stack>.json pins the same levels for the real CrossGuard run.
 */
export function effectiveLevel(
  policy: AnyPolicy,
  topology: Topology,
  config?: PolicyPackConfig,
): EnforcementLevel {
  const c = config?.[policy.name];
  if (typeof c === "string") return c;
  if (c && typeof c === "object" && typeof c.enforcementLevel === "string") return c.enforcementLevel;
  if (policy.tags?.includes(DATA_SAFETY_TAG)) return topology === "prod" ? "mandatory" : "advisory";
  return policy.enforcementLevel ?? "advisory";
}

/** The policy's properties: schema defaults overlaid with the pack config's values. */
export function policyConfig(policy: AnyPolicy, config?: PolicyPackConfig): Record<string, unknown> {
  const schema: PolicyConfigSchema | undefined = policy.configSchema;
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema?.properties ?? {})) {
    if (s && typeof s === "object" && "default" in s) out[k] = (s as { default: unknown }).default;
  }
  const c = config?.[policy.name];
  if (c && typeof c === "object") {
    for (const [k, v] of Object.entries(c)) if (k !== "enforcementLevel") out[k] = v;
  }
  return out;
}

type Ctor = { new (...rest: never[]): unknown };
function typeOf(cls: Ctor): string | undefined {
  return (cls as unknown as { __pulumiType?: string }).__pulumiType;
}

// No `parent`: the engine leaves it out of the options it sends (a stack policy gets the
// resource's parent as `PolicyResource.parent`).
function options(r: PackResource): PolicyResourceOptions {
  return {
    protect: r.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "not applicable");
}

function toPolicyResources(resources: readonly PackResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = resources.map((r) => {
    const props = unknownChecking(r.props);
    const pr = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [] as PolicyResource[],
      propertyDependencies: {},
      isType: (cls: Ctor) => typeOf(cls) === r.type,
      asType: (cls: Ctor) => (typeOf(cls) === r.type ? props : undefined),
    } as unknown as PolicyResource;
    byUrn.set(r.urn, pr);
    return pr;
  });
  const known = (urns: readonly string[]) => urns.flatMap((u) => (byUrn.has(u) ? [byUrn.get(u)!] : []));
  resources.forEach((r, i) => {
    const pr = out[i];
    pr.parent = r.parent ? byUrn.get(r.parent) : undefined;
    pr.dependencies = known(r.dependencies ?? []);
    pr.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies ?? {}).map(([k, urns]) => [k, known(urns)]),
    );
  });
  return out;
}

/** Runs every policy over the resources and returns the violations with their effective level. */
export async function runPack(
  policies: Policies,
  resources: readonly PackResource[],
  opts: RunOptions = {},
): Promise<Violation[]> {
  const topology = opts.topology ?? detectTopology(resources);
  const violations: Violation[] = [];
  for (const policy of policies) {
    const level = effectiveLevel(policy, topology, opts.config);
    if (level === "disabled") continue;
    const cfg = policyConfig(policy, opts.config);
    const getConfig = <T extends object>() => cfg as T;
    if ("validateStack" in policy) {
      const args: StackValidationArgs = {
        resources: toPolicyResources(resources),
        stackTags: new Map(),
        getConfig,
        notApplicable,
      };
      const report: ReportViolation = (message, urn) =>
        violations.push({ policy: policy.name, level, message, urn });
      await guard(policy.name, violations, undefined, () => policy.validateStack(args, report));
      continue;
    }
    const validators = [policy.validateResource ?? []].flat();
    for (const r of resources) {
      const props = unknownChecking(r.props);
      const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: options(r),
        stackTags: new Map(),
        isType: (cls: Ctor) => typeOf(cls) === r.type,
        asType: ((cls: Ctor) =>
          typeOf(cls) === r.type ? props : undefined) as ResourceValidationArgs["asType"],
        getConfig,
        notApplicable,
      };
      const report: ReportViolation = (message) =>
        violations.push({ policy: policy.name, level, message, urn: r.urn });
      for (const validate of validators)
        await guard(policy.name, violations, r.urn, () => validate(args, report));
    }
  }
  return violations;
}

async function guard(
  policy: string,
  violations: Violation[],
  urn: string | undefined,
  fn: () => Promise<void> | void,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof UnknownValue) {
      const message = `can't run policy '${policy}' during preview: ${err.message}`;
      violations.push({ policy, level: "advisory", message, urn, blind: true });
    } else if (!(err instanceof NotApplicable)) throw err;
  }
}

/** The policies that could not run because they read a value unknown in a preview. */
export function blind(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.blind);
}

/** The mandatory violations among `violations`. */
export function mandatory(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.level === "mandatory");
}
