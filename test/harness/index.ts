// Evaluates the real program (index.ts) for a stack under the SDK's mocks, driven by the real
// Pulumi.<stack>.yaml, and records every registration as the engine would see it: inputs
// with their secret paths, dependencies, protect flag and parent.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { mockOutputs } from "./mock-outputs";
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
import { upstreamDir } from "../conformance/upstream";

export const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "harbor-platform";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

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
  protect: boolean;
  parent?: string;
  /** Provider reference `<urn>::<id>` (explicit providers only), as the engine receives it. */
  provider?: string;
  /** Where the program registered it (`file:///.../components/x/index.ts:12`), as the engine records it. */
  sourcePosition?: string;
}

export interface StackRun {
  stack: string;
  resources: Registered[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
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
    path.join(upstreamDir(), "pulumi-project", "project.json"),
  );
  return project;
}

interface RawRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }) => void): void };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getSourceposition(): { getUri(): string; getLine(): number } | undefined;
}

function unwrapSecrets(value: unknown, at: string, secretPaths: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secretPaths));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_VALUE) {
      secretPaths.push(at);
      return unwrapSecrets(o.value, at, []);
    }
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, secretPaths)]),
    );
  }
  return value;
}

function inputDependencies(req: RawRequest): string[] {
  const urns = new Set<string>();
  req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => urns.add(u)));
  return [...urns];
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

async function outputValue(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const out = value as pulumi.Output<unknown>;
  const [resolved, secret] = await Promise.all([
    new Promise<unknown>((resolve) => out.apply((v) => resolve(v))),
    pulumi.isSecret(out),
  ]);
  return { value: resolved, secret };
}

/**
 * Runs index.ts for `stack` with the given config overrides. Throws what the program throws
 * (a bad config surfaces as the program's one-line error).
 */
export async function evaluateStack(
  stack: string,
  overrides: ConfigOverrides = {},
  options: { fresh?: boolean } = {},
): Promise<StackRun> {
  // An evaluation is deterministic in (stack, overrides): many test files read the same
  // baseline, so it is computed once per process. Each caller gets its own copy to mutate.
  // `undefined` removes a key: it must not collapse into the baseline's cache key.
  const key = JSON.stringify([stack, overrides], (_k, v: unknown) => (v === undefined ? "\u0000unset" : v));
  let pending = options.fresh ? undefined : evaluations.get(key);
  if (!pending) {
    pending = evaluateProgram(path.join(ROOT, "index.ts"), stack, overrides);
    if (!options.fresh) evaluations.set(key, pending);
    // A failed evaluation is not cached: the next caller sees the same error afresh.
    pending.catch(() => evaluations.delete(key));
  }
  return copyRun(await pending);
}

const evaluations = new Map<string, Promise<StackRun>>();

function copyRun(run: StackRun): StackRun {
  const resources = structuredClone(run.resources);
  return { ...run, resources, outputs: structuredClone(run.outputs), ...lookups(resources) };
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
): Promise<StackRun> {
  const config = runtimeStackConfig(stack, overrides);
  const secretKeys = [
    ...Object.keys(STACK_SECRETS[stack] ?? {}),
    ...Object.keys(overrides).filter((k) => overrides[k] instanceof StackSecret),
  ]
    .map(qualify)
    .filter((k) => config[k] !== undefined);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return runUnderMocks(stack, () => {
    const entry = require.resolve(program);
    delete require.cache[entry];
    // The program registers resources at import time; re-requiring it is a fresh evaluation.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(entry) as Record<string, unknown>;
  });
}

/**
 * Runs `program` (a whole program, or a component built directly by a test) under the mocks
 * and records every registration; the returned object's values become the run's outputs.
 */
export async function runUnderMocks(
  stack: string,
  program: () => Record<string, unknown> | void,
): Promise<StackRun> {
  const resources: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...mockOutputs(args) } }),
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RawRequest, cb: (err: Error | null, res?: { getUrn(): string }) => void): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    register(req, (err, res) => {
      if (!err && res) {
        const secretPaths: string[] = [];
        const inputs = unwrapSecrets(req.getObject()?.toJavaScript() ?? {}, "", secretPaths) as Record<
          string,
          unknown
        >;
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          custom: req.getCustom(),
          inputs,
          secretPaths,
          dependencies: req.getDependenciesList(),
          inputDependencies: inputDependencies(req),
          protect: req.getProtect(),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          sourcePosition: sourcePosition(req),
        });
      }
      cb(err, res);
    });
  };

  let exported: Record<string, unknown>;
  try {
    exported = program() ?? {};
  } catch (err) {
    await settle();
    throw Object.assign(err as Error, { registered: resources });
  }
  await settle();
  const outputs: StackRun["outputs"] = {};
  for (const [k, v] of Object.entries(exported)) outputs[k] = await outputValue(v);
  await settle();

  return { stack, resources, outputs, ...lookups(resources) };
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
