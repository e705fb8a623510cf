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

export function toPackResources(registered: readonly Registered[]): PackResource[] {
  return registered.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    protect: r.protect,
    parent: r.parent,
    dependencies: r.dependencies,
  }));
}

export type Mutation = (resources: PackResource[]) => PackResource[];

/** Evaluates the stack (with config overrides), optionally mutates its resources, runs the pack. */
export async function packRun(
  stack: string,
  overrides: ConfigOverrides = {},
  mutate: Mutation = (rs) => rs,
): Promise<Violation[]> {
  const run = await evaluateStack(stack, overrides);
  return runPack(policies, mutate(toPackResources(run.resources)), { config: packConfig(stack) });
}
