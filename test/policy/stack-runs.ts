// Offline stack runs: the real program under mocks (test/harness), its registrations turned
// into the resources the policy analyzer would see, and the whole pack run over them with
// the stack's pack config (policy/config/<stack>.json), as CI does.
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { runPack, type PackResource, type Violation } from "../../policy/lib/engine";
import { policies } from "../../policy/policies";
import { ROOT, evaluateStack, type ConfigOverrides, type Registered } from "../harness";

export function packConfig(stack: string): PolicyPackConfig {
  return JSON.parse(
    fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"),
  ) as PolicyPackConfig;
}

/**
 * A registration as the pack sees it, with the wire form the engine would send it in (absent
 * for resources a test adds by hand).
 */
export type StackResource = PackResource & { readonly wire?: Registered["wire"] };

export function toPackResources(registered: readonly Registered[]): StackResource[] {
  return registered.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    protect: r.protect,
    parent: r.parent,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
    wire: r.wire,
  }));
}

export type Mutation = (resources: StackResource[]) => StackResource[];

export interface StackRunOptions {
  /** A new stack's first preview: outputs not known yet reach the pack as unknowns. */
  readonly preview?: boolean;
}

/** The stack's registrations (config overrides applied), optionally mutated. */
export async function stackResources(
  stack: string,
  overrides: ConfigOverrides = {},
  mutate: Mutation = (rs) => rs,
  options: StackRunOptions = {},
): Promise<StackResource[]> {
  const run = await evaluateStack(stack, overrides, { preview: options.preview });
  return mutate(toPackResources(run.resources));
}

/** Evaluates the stack (with config overrides), optionally mutates its resources, runs the pack. */
export async function packRun(
  stack: string,
  overrides: ConfigOverrides = {},
  mutate: Mutation = (rs) => rs,
  options: StackRunOptions = {},
): Promise<Violation[]> {
  return runPack(policies, await stackResources(stack, overrides, mutate, options), {
    config: packConfig(stack),
  });
}
