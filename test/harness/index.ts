// Evaluates the real program (index.ts) for a stack under the SDK's mocks, driven by the real
// Pulumi.<stack>.yaml, and records every registration as the engine would see it: inputs
// with their secret paths, dependencies (per property too), protect flag and parent, plus the
// wire form (google.protobuf.Struct as JavaScript) the engine would pass on to a policy analyzer.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { parse as parseYaml } from "yaml";
import { mockCallResult, mockOutputs } from "./mock-outputs";
import { STACK_SECRETS } from "./stack-secrets";
import { decodeStackConfig } from "../../config";
import {
  applyCliRules,
  encrypt,
  loadProject,
  readStackFile,
  runtimeConfig,
  type Project,
} from "../config/pulumi-cli";
import { upstreamFile } from "../upstream";

export const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "harbor-platform";
const SECRET_SIG = rpc.specialSigKey;
const SECRET_VALUE = rpc.specialSecretSig;
/** The SDK's unknown sentinel on the wire: a value not known during a preview. */
export const UNKNOWN = rpc.unknownValue;

export interface Registered {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Dotted paths of inputs that reach the engine as secrets (`values.database.internal.password`). */
  secretPaths: string[];
  /** URNs this registration waits for (explicit dependsOn and input dependencies). */
  dependencies: string[];
  /** URNs whose outputs flow into this registration's inputs (a subset of `dependencies`). */
  inputDependencies: string[];
  /** Per top-level input, the URNs whose outputs flow into it (the request's propertyDependencies). */
  propertyDependencies: Record<string, string[]>;
  /**
   * The registration as Struct JavaScript, secrets as `{4dabf…: 1b47…, value}` and unknowns as
   * UNKNOWN: `inputs` as the program sent them; `computed`, the outputs the (mock) provider
   * answered beyond the inputs (UNKNOWN in a preview). The resource's outputs are both.
   */
  wire: { inputs: Record<string, unknown>; computed: Record<string, unknown> };
  protect: boolean;
  // The options below are optional only so hand-built registrations in tests may omit them;
  // every registration the harness records carries them.
  /** Output names the engine stores as secrets whatever the provider returns (absent: none). */
  additionalSecretOutputs?: string[];
  /** Input paths whose changes the engine ignores (`ignoreChanges`). */
  ignoreChanges?: string[];
  /** Whether a replacement deletes the old resource first (`deleteBeforeReplace`). */
  deleteBeforeReplace?: boolean;
  /** Whether a delete leaves the cloud resource in place (`retainOnDelete`). */
  retainOnDelete?: boolean;
  parent?: string;
  /** Provider reference `<urn>::<id>` (explicit providers only), as the engine receives it. */
  provider?: string;
  /** Where the program registered it (`file:///.../components/x/index.ts:12`), as the engine records it. */
  sourcePosition?: string;
}

/** A message the program logged through `pulumi.log` (the engine shows it on the run's output). */
export interface LoggedMessage {
  severity: "debug" | "info" | "warn" | "error";
  message: string;
}

export interface StackRun {
  stack: string;
  resources: Registered[];
  /** Reads of existing objects (`Resource.get`): the engine reads them, in previews too, and creates nothing. */
  reads: Registered[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
  /** What the program logged, in order. */
  logs: LoggedMessage[];
  byType(type: string): Registered[];
  one(type: string, name?: string): Registered;
}

export type ConfigOverrides = Record<string, unknown>;

/** An override the operator would set with `pulumi config set --secret`. */
export class StackSecret {
  readonly secret = true;
  constructor(readonly value: string) {}
}

/**
 * The stack's config as the program receives it at run time (`pulumi.runtime.allConfig()`):
 * Pulumi.<stack>.yaml, the operator's secret config (set with `--secret`) and the overrides
 * (as `pulumi config set` would store them), passed through the Pulumi CLI's own rules
 * (missing keys, types, secrets, Pulumi.yaml defaults written in; see ../config/pulumi-cli.ts).
 * A stack the CLI would refuse throws the CLI's message here, before the program runs.
 */
export function runtimeStackConfig(stack: string, overrides: ConfigOverrides = {}): Record<string, string> {
  const config = readStackFile(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [k, v] of Object.entries(STACK_SECRETS[stack] ?? {}))
    config.set(qualify(k), { text: encrypt(v), secure: true, object: false });
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) config.delete(qualify(k));
    else if (v instanceof StackSecret)
      config.set(qualify(k), { text: encrypt(v.value), secure: true, object: false });
    else if (v !== null && typeof v === "object")
      config.set(qualify(k), { text: JSON.stringify(v), secure: false, object: true });
    else config.set(qualify(k), { text: String(v), secure: false, object: false });
  }
  return runtimeConfig(applyCliRules(stack, projectFile(), config));
}

/** The stack's config (keys without the project prefix) exactly as the program's parser gets it. */
export function stackConfig(stack: string, overrides: ConfigOverrides = {}): Record<string, unknown> {
  return decodeStackConfig(runtimeStackConfig(stack, overrides), PROJECT);
}

const qualify = (key: string) => (key.includes(":") ? key : `${PROJECT}:${key}`);

let project: Project | undefined;
/** Pulumi.yaml, validated as the CLI validates it (against the pinned project.json). */
export function projectFile(): Project {
  project ??= loadProject(
    parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")),
    upstreamFile("pulumi-project", "project.json"),
  );
  return project;
}

interface Struct {
  toJavaScript(): Record<string, unknown>;
  getFieldsMap(): { forEach(cb: (value: { toJavaScript(): unknown }, key: string) => void): void };
}

interface RawRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getObject(): Struct | undefined;
  getSourceposition(): { getUri(): string; getLine(): number } | undefined;
}

/** A ReadResourceRequest, as far as the harness records it. */
interface RawReadRequest {
  getType(): string;
  getName(): string;
  getId(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getProperties(): Struct | undefined;
}

/** How secret paths name a child: `a.b`, `a[0]`. */
function childPath(at: string, key: string | number): string {
  return typeof key === "number" ? `${at}[${key}]` : at ? `${at}.${key}` : key;
}

function unwrapSecrets(value: unknown, at: string, secretPaths: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, childPath(at, i), secretPaths));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_VALUE) {
      secretPaths.push(at);
      return unwrapSecrets(o.value, at, []);
    }
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v, childPath(at, k), secretPaths)]),
    );
  }
  return value;
}

/**
 * A registration's inputs as the engine received them: every value at one of its secret paths
 * wrapped in the secret signature again (`{"4dabf18193072939515e22adb298388d": "1b47...", value}`).
 */
export function wireInputs(r: Pick<Registered, "inputs" | "secretPaths">): Record<string, unknown> {
  const secret = new Set(r.secretPaths);
  const wrap = (value: unknown, at: string): unknown => {
    let out = value;
    if (Array.isArray(value)) out = value.map((v, i) => wrap(v, childPath(at, i)));
    else if (value && typeof value === "object")
      out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v, childPath(at, k))]));
    return secret.has(at) ? { [SECRET_SIG]: SECRET_VALUE, value: out } : out;
  };
  return Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, wrap(v, k)]));
}

function inputDependencies(req: RawRequest): string[] {
  const urns = new Set<string>();
  req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => urns.add(u)));
  return [...urns];
}

function propertyDependencies(req: RawRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    if (deps.getUrnsList().length > 0) out[key] = deps.getUrnsList();
  });
  return out;
}

function sourcePosition(req: RawRequest): string | undefined {
  const pos = req.getSourceposition();
  return pos ? `${pos.getUri()}:${pos.getLine()}` : undefined;
}

async function settle(): Promise<void> {
  // waitForRPCs drains the mock monitor's queue; it is internal, so reach it by path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

/** Output members the SDK keeps internal (output.js). */
interface InternalOutput {
  readonly isKnown: Promise<boolean>;
  promise(): Promise<unknown>;
}

async function outputValue(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  // apply never runs on an unknown value (a preview), so read the Output's own promises.
  const out = value as pulumi.Output<unknown> & InternalOutput;
  const [resolved, known, secret] = await Promise.all([out.promise(), out.isKnown, pulumi.isSecret(out)]);
  return { value: known ? resolved : UNKNOWN, secret };
}

/**
 * Runs index.ts for `stack` with the given config overrides. Throws what the program throws
 * (a bad config surfaces as the program's one-line error).
 */
export async function evaluateStack(
  stack: string,
  overrides: ConfigOverrides = {},
  options: { fresh?: boolean } & MockOptions = {},
): Promise<StackRun> {
  // An evaluation is deterministic in (stack, overrides, mock options): many test files read the
  // same baseline, so it is computed once per process. Each caller gets its own copy to mutate.
  // `undefined` removes a key: it must not collapse into the baseline's cache key.
  const preview = options.preview ?? false;
  const outputs = options.outputs ?? {};
  const key = JSON.stringify([stack, overrides, preview, outputs], (_k, v: unknown) =>
    v === undefined ? "\u0000unset" : v,
  );
  let pending = options.fresh ? undefined : evaluations.get(key);
  if (!pending) {
    pending = evaluateProgram(path.join(ROOT, "index.ts"), stack, overrides, { preview, outputs });
    if (!options.fresh) evaluations.set(key, pending);
    // A failed evaluation is not cached: the next caller sees the same error afresh.
    pending.catch(() => evaluations.delete(key));
  }
  return copyRun(await pending);
}

const evaluations = new Map<string, Promise<StackRun>>();

function copyRun(run: StackRun): StackRun {
  const resources = structuredClone(run.resources);
  return {
    ...run,
    resources,
    reads: structuredClone(run.reads),
    outputs: structuredClone(run.outputs),
    logs: structuredClone(run.logs),
    ...lookups(resources),
  };
}

function lookups(resources: Registered[]): Pick<StackRun, "byType" | "one"> {
  return {
    byType: (type) => resources.filter((r) => r.type === type),
    one(type, name) {
      const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
      if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
      }
      return found[0];
    },
  };
}

/** Like evaluateStack, for any program file (the benchmark's one-Release baseline uses it). */
export async function evaluateProgram(
  program: string,
  stack: string,
  overrides: ConfigOverrides = {},
  options: MockOptions = {},
): Promise<StackRun> {
  const config = runtimeStackConfig(stack, overrides);
  const secretKeys = [
    ...Object.keys(STACK_SECRETS[stack] ?? {}),
    ...Object.keys(overrides).filter((k) => overrides[k] instanceof StackSecret),
  ]
    .map(qualify)
    .filter((k) => config[k] !== undefined);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return runUnderMocks(
    stack,
    () => {
      const entry = require.resolve(program);
      delete require.cache[entry];
      // The program registers resources at import time; re-requiring it is a fresh evaluation.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(entry) as Record<string, unknown>;
    },
    options,
  );
}

export interface MockOptions {
  /**
   * A new stack's first preview: the SDK runs as a dry run and every output a provider would
   * compute (ids, ARNs, generated passwords, keys) is unknown; inputs echo back as the
   * providers' previews do.
   */
  readonly preview?: boolean;
  /**
   * What providers answer beyond the mocks' stand-ins (mock-outputs.ts), keyed by resource type
   * (`pulumi-nodejs:dynamic/upgrade:HarborUpgradeGate`) or type and name (`<type>::<name>`, which
   * wins): merged over the stand-ins, as known values even in a preview. A deployed stack's state
   * (the gate's previous chart version), a cluster's answer to a read (an older CRD).
   */
  readonly outputs?: Readonly<Record<string, Record<string, unknown>>>;
}

function unknowns(outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(outputs).map((k) => [k, UNKNOWN]));
}

/**
 * Runs `program` (a whole program, or a component built directly by a test) under the mocks
 * and records every registration; the returned object's values become the run's outputs.
 */
export async function runUnderMocks(
  stack: string,
  program: () => Record<string, unknown> | void,
  options: MockOptions = {},
): Promise<StackRun> {
  const resources: Registered[] = [];
  const reads: Registered[] = [];
  const preview = options.preview ?? false;
  const given = (args: { type: string; name: string }) => ({
    ...options.outputs?.[args.type],
    ...options.outputs?.[`${args.type}::${args.name}`],
  });
  await pulumi.runtime.setMocks(
    {
      // In a preview the id is empty, which the SDK turns into an unknown id.
      newResource: (args) =>
        preview
          ? { id: undefined, state: { ...args.inputs, ...unknowns(mockOutputs(args)), ...given(args) } }
          : { id: `${args.name}-id`, state: { ...args.inputs, ...mockOutputs(args), ...given(args) } },
      call: mockCallResult,
    },
    PROJECT,
    stack,
    preview,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      req: RawRequest,
      cb: (err: Error | null, res?: { getUrn(): string; getObject(): Struct | undefined }) => void,
    ): void;
  };
  const register = monitor.registerResource.bind(monitor);
  const readMonitor = monitor as unknown as {
    readResource(
      req: RawReadRequest,
      cb: (err: Error | null, res?: { getUrn(): string; getProperties(): Struct | undefined }) => void,
    ): void;
  };
  const read = readMonitor.readResource.bind(readMonitor);
  readMonitor.readResource = (req, cb) => {
    read(req, (err, res) => {
      if (!err && res) {
        const secretPaths: string[] = [];
        const wireInputs = req.getProperties()?.toJavaScript() ?? {};
        reads.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          custom: true,
          inputs: {
            ...(unwrapSecrets(wireInputs, "", secretPaths) as Record<string, unknown>),
            id: req.getId(),
          },
          secretPaths,
          dependencies: req.getDependenciesList(),
          inputDependencies: [],
          propertyDependencies: {},
          wire: { inputs: wireInputs, computed: res.getProperties()?.toJavaScript() ?? {} },
          protect: false,
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
        });
      }
      cb(err, res);
    });
  };
  monitor.registerResource = (req, cb) => {
    register(req, (err, res) => {
      if (!err && res) {
        const secretPaths: string[] = [];
        const wireInputs = req.getObject()?.toJavaScript() ?? {};
        const inputs = unwrapSecrets(wireInputs, "", secretPaths) as Record<string, unknown>;
        // Only the keys beyond the inputs: the mock echoes inputs after the SDK's deserializer
        // hoisted nested secrets to the top key, where the engine keeps them as the program sent.
        const computed: Record<string, unknown> = {};
        res
          .getObject()
          ?.getFieldsMap()
          .forEach((v, k) => {
            if (!(k in wireInputs)) computed[k] = v.toJavaScript();
          });
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          custom: req.getCustom(),
          inputs,
          secretPaths,
          dependencies: req.getDependenciesList(),
          inputDependencies: inputDependencies(req),
          propertyDependencies: propertyDependencies(req),
          wire: { inputs: wireInputs, computed },
          protect: req.getProtect(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          ignoreChanges: req.getIgnorechangesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          retainOnDelete: req.getRetainondelete(),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          sourcePosition: sourcePosition(req),
        });
      }
      cb(err, res);
    });
  };

  const logs: LoggedMessage[] = [];
  const watch = watchEvaluation(logs);
  let outputs: StackRun["outputs"];
  try {
    let exported: Record<string, unknown>;
    try {
      exported = program() ?? {};
    } catch (err) {
      await settle();
      throw Object.assign(err as Error, { registered: resources });
    }
    await settle();
    outputs = {};
    for (const [k, v] of Object.entries(exported)) outputs[k] = await outputValue(v);
    await settle();
    // Node reports a rejection nobody handled once the microtasks drain.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    watch.stop();
  }
  // What the Pulumi runtime would fail the program with (its unhandled-rejection handler prints a
  // ResourceError's message on its resource: @pulumi/pulumi 3.248 cmd/run/run.js): a check that
  // throws outside any resource's inputs, such as the existing-operator preflight's.
  const [rejected] = watch.rejections();
  if (rejected !== undefined)
    throw Object.assign(rejected instanceof Error ? rejected : new Error(String(rejected)), {
      registered: resources,
    });

  return { stack, resources, reads, outputs, logs, ...lookups(resources) };
}

type LogFunction = (msg: string, ...rest: unknown[]) => Promise<void>;

/**
 * Records, while an evaluation runs, what the program logs through `pulumi.log` (still printed as
 * the SDK prints it under mocks) and the promise rejections nobody handles.
 */
function watchEvaluation(logs: LoggedMessage[]): { rejections(): unknown[]; stop(): void } {
  const log = pulumi.log as unknown as Record<LoggedMessage["severity"], LogFunction>;
  const severities = ["debug", "info", "warn", "error"] as const;
  const originals = Object.fromEntries(severities.map((s) => [s, log[s]])) as typeof log;
  for (const severity of severities) {
    log[severity] = (msg, ...rest) => {
      logs.push({ severity, message: msg });
      return originals[severity](msg, ...rest);
    };
  }
  const pending = new Map<Promise<unknown>, unknown>();
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    if (!pending.has(promise)) pending.set(promise, reason);
  };
  const onHandled = (promise: Promise<unknown>) => pending.delete(promise);
  process.on("unhandledRejection", onRejection);
  process.on("rejectionHandled", onHandled);
  return {
    rejections: () => [...pending.values()],
    stop() {
      process.off("unhandledRejection", onRejection);
      process.off("rejectionHandled", onHandled);
      Object.assign(log, originals);
    },
  };
}

/** Reads a dotted path (`values.expose.tls.enabled`) out of a nested object. */
export function at(obj: unknown, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}
