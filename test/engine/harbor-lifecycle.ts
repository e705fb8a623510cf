// One `pulumi up`, `pulumi refresh`, second `pulumi up` and `pulumi destroy` of a program run's
// Harbor resources through the real dynamic-provider host, asserting at each step what Harbor
// holds (the spec-checked fake's state) and what the state keeps secret. The first `up` may be
// that of an earlier release, whose `__provider` text the state then holds (the host reads and
// deletes a resource with the text in its state, and checks, diffs and updates it with the new).
import { expect } from "chai";
import { isDeepStrictEqual } from "util";
import { DiffResponse } from "@pulumi/pulumi/proto/provider_pb";
import type { FakeHarbor } from "../fakes/harbor";
import type { StackRun } from "../harness";
import { PROVIDER_LOADER } from "../../components/harbor-config/provider-module";
import { isSecret, stripSecrets, type PropertyMap, type ResourceState } from "./provider-engine";
import { engineInputs, harborRegistrations, kindOf, plain, type HarborHost } from "./harbor-host";

type Json = Record<string, unknown>;

/** What a real Harbor would hold for the resource, as mismatches ([] when it holds it). */
function harborHolds(fake: FakeHarbor, s: ResourceState): string[] {
  const i = plain(s.inputs) as Json;
  const o = plain(s.outputs) as Json;
  const st = fake.state;
  const miss: string[] = [];
  const want = (what: string, got: unknown, expected: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(expected))
      miss.push(`${s.name}: ${what} is ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`);
  };
  switch (kindOf(s)) {
    case "settings":
      for (const [k, v] of Object.entries({ ...(i.values as Json), ...(i.writeOnly as Json) }))
        want(k, st.configurations[k], v);
      break;
    case "gc":
      want("gc cron", st.schedules.gc?.cron, i.cron);
      want("gc workers", st.schedules.gc?.parameters.workers, i.workers);
      break;
    case "auditLogPurge":
      want("purge cron", st.schedules.purgeaudit?.cron, i.cron);
      want("purge hours", st.schedules.purgeaudit?.parameters.audit_retention_hour, i.retentionHours);
      break;
    case "scanAll":
      want("scan-all cron", st.schedules.scanAll?.cron, i.cron);
      break;
    case "registry":
      want("registry", st.registries.get(o.registryId as number)?.name, i.name);
      want("registry url", st.registries.get(o.registryId as number)?.url, i.url);
      break;
    case "project": {
      want("project", st.projects.get(o.projectId as number)?.name, i.name);
      const quota = [...st.quotas.values()].find((q) => q.projectId === o.projectId);
      want("project quota", quota?.storage, i.quotaBytes);
      break;
    }
    case "robot": {
      const robot = st.robots.get(o.robotId as number);
      want("robot", robot?.name, o.fullName);
      // The state holds the secret Harbor issued: CI can log in with it.
      want("robot secret", robot?.secret, o.secret);
      want("robot description", robot?.description, i.description);
      break;
    }
    case "retention": {
      const policy = st.retentions.get(o.retentionId as number) as { rules?: Json[] } | undefined;
      want("retention rules", policy?.rules?.length, (i.rules as Json[]).length);
      // Harbor keys a rule's parameter by its template id (latestPushedK: 10).
      const first = (i.rules as Json[])[0];
      want("retention first rule", policy?.rules?.[0]?.params, { [String(first.template)]: first.count });
      break;
    }
    case "immutableRule":
      want("immutable rule project", st.immutable.get(o.ruleId as number)?.projectId, i.projectId);
      break;
    case "replication":
      want("replication", st.replications.get(o.policyId as number)?.name, i.name);
      break;
    default:
      miss.push(`${s.name}: unknown kind ${kindOf(s)}`);
  }
  return miss;
}

/** Is the object of a deleted resource gone from Harbor? (Settings cannot be unset.) */
function harborLetGo(fake: FakeHarbor, s: ResourceState): boolean {
  const o = plain(s.outputs) as Json;
  const st = fake.state;
  switch (kindOf(s)) {
    case "gc":
      return st.schedules.gc === undefined;
    case "auditLogPurge":
      return st.schedules.purgeaudit === undefined;
    case "scanAll":
      return st.schedules.scanAll === undefined;
    case "registry":
      return !st.registries.has(o.registryId as number);
    case "project":
      return !st.projects.has(o.projectId as number);
    case "robot":
      return !st.robots.has(o.robotId as number);
    case "retention":
      // An adopted policy (a proxy cache's own) goes with its project.
      return o.adopted === true || !st.retentions.has(o.retentionId as number);
    case "immutableRule":
      return !st.immutable.has(o.ruleId as number);
    case "replication":
      return !st.replications.has(o.policyId as number);
    default:
      return true;
  }
}

/** Secret plain texts of a property map (inputs or state). */
function secretTexts(m: PropertyMap): string[] {
  const out: string[] = [];
  const walk = (v: unknown, inSecret: boolean) => {
    if (isSecret(v)) return walk(v.value, true);
    if (typeof v === "string" && inSecret && v.length >= 8) out.push(v);
    if (v && typeof v === "object") for (const x of Object.values(v)) walk(x, inSecret);
  };
  walk(m, false);
  return out;
}

/** The state with every secret value blanked: what `pulumi stack export` shows in clear. */
function clearText(m: PropertyMap): string {
  const blank = (v: unknown): unknown =>
    isSecret(v)
      ? "[secret]"
      : Array.isArray(v)
        ? v.map(blank)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]))
          : v;
  return JSON.stringify(blank(m));
}

/** No secret of the inputs or the state shows in the state's clear text. */
function noSecretInClear(name: string, inputs: PropertyMap, state: PropertyMap): void {
  const clear = clearText(state);
  for (const t of [...secretTexts(inputs), ...secretTexts(state)])
    expect(clear, `${name}: a secret in clear in the state`).not.to.include(t);
}

/** Top-level properties the state keeps secret. */
const secretKeys = (m: PropertyMap) =>
  Object.keys(m)
    .filter((k) => isSecret(m[k]))
    .sort();

export interface Lifecycle {
  readonly kindsCreated: Set<string>;
  readonly kindsUpdated: Set<string>;
  /** Resources updated with no declared input changed (only `__provider`): Harbor was not called. */
  readonly movedToLoader: number;
}

export interface LifecycleOptions {
  /** The `__provider` the first `up` writes, as an earlier release did; default: the program's. */
  readonly firstProvider?: string;
  /** false: `pulumi destroy` right after the refresh, with the state as the first `up` wrote it. */
  readonly secondUp?: boolean;
}

/** up (config 1), refresh, up (config 2), destroy: asserting Harbor and the state at each step. */
export async function lifecycle(
  host: HarborHost,
  projectCa: string,
  runs: [StackRun, StackRun],
  fake: FakeHarbor,
  options: LifecycleOptions = {},
): Promise<Lifecycle> {
  const [first, second] = runs;
  const regs = harborRegistrations(first);
  expect(regs.length, "Harbor resources").to.be.greaterThan(0);
  const { driver } = host;
  const created = new Map<string, ResourceState>();
  const kindsCreated = new Set<string>();
  const kindsUpdated = new Set<string>();
  let movedToLoader = 0;

  // pulumi up: Check (no olds) then Create, in registration order (dependencies first).
  for (const r of regs) {
    expect(r.inputs.__provider, `${r.name} carries the provider loader`).to.equal(PROVIDER_LOADER);
    const news = engineInputs(first, r, fake, projectCa, created);
    if (options.firstProvider !== undefined) news.__provider = options.firstProvider;
    const checked = await driver.check(r, {}, news);
    expect(checked.failures, `${r.name} check`).to.deep.equal([]);
    const state = await driver.create(r, checked.inputs, r.additionalSecretOutputs ?? []);
    expect(state.id, `${r.name} id`).to.not.equal("");
    expect(state.outputs.__provider, `${r.name}: the state's provider`).to.equal(news.__provider);
    expect(harborHolds(fake, state)).to.deep.equal([]);
    // Secret in state: the connection (admin password), and each output the program declares secret.
    expect(isSecret(state.outputs.connection), `${r.name} connection in state`).to.equal(true);
    for (const k of r.additionalSecretOutputs ?? [])
      if (k in state.outputs) expect(isSecret(state.outputs[k]), `${r.name} ${k} in state`).to.equal(true);
    noSecretInClear(r.name, news, state.outputs);
    created.set(r.urn, state);
    kindsCreated.add(kindOf(state));
  }
  const robots = [...created.values()].filter((s) => kindOf(s) === "robot");
  for (const s of robots) {
    expect(isSecret(s.outputs.secret), `${s.name}: robot secret is secret in state`).to.equal(true);
    expect(plain(s.outputs.secret), `${s.name}: robot secret`).to.be.a("string").and.not.equal("");
  }

  // pulumi refresh: Read gives back the same state (no drift right after create).
  for (const [urn, s] of created) {
    const read = await driver.read(s);
    expect(read.id, `${s.name} still there`).to.equal(s.id);
    // What the program declares reads back unchanged (outputs such as a project's retention id may move).
    const declared = (m: PropertyMap) =>
      Object.fromEntries(
        Object.keys(s.inputs)
          .filter((k) => k !== "__provider")
          .map((k) => [k, plain(m[k])]),
      );
    expect(declared(read.outputs), `${s.name} read back`).to.deep.equal(declared(s.outputs));
    expect(secretKeys(read.outputs), `${s.name} secrets after refresh`).to.deep.equal(secretKeys(s.outputs));
    noSecretInClear(s.name, s.inputs, read.outputs);
    created.set(urn, read);
  }

  // pulumi up with the second config: Check (olds = last inputs), Diff, and Update where it differs.
  for (const r of options.secondUp === false ? [] : harborRegistrations(second)) {
    const old = created.get(r.urn);
    if (!old) continue;
    const news = engineInputs(second, r, fake, projectCa, created);
    const checked = await driver.check(r, old.inputs, news);
    const diff = await driver.diff(old, checked.inputs);
    const differs = !isDeepStrictEqual(stripSecrets(old.inputs), stripSecrets(checked.inputs));
    expect(diff.getChanges(), `${r.name} diff`).to.equal(
      differs ? DiffResponse.DiffChanges.DIFF_SOME : DiffResponse.DiffChanges.DIFF_NONE,
    );
    if (!differs) continue;
    expect(diff.getReplacesList(), `${r.name} updates in place`).to.deep.equal([]);
    const mark = fake.calls.length;
    const updated = await driver.update(old, checked.inputs);
    // The state now runs the program's provider, whichever it was written with.
    expect(updated.outputs.__provider, `${r.name}: the state's provider after update`).to.equal(
      PROVIDER_LOADER,
    );
    const declared = (m: PropertyMap) => stripSecrets({ ...m, __provider: undefined });
    if (isDeepStrictEqual(declared(old.inputs), declared(checked.inputs))) {
      expect(fake.calls.slice(mark), `${r.name}: Harbor calls to move to the loader`).to.deep.equal([]);
      movedToLoader++;
    }
    expect(harborHolds(fake, updated)).to.deep.equal([]);
    expect(secretKeys(updated.outputs), `${r.name} secrets after update`).to.deep.equal(
      secretKeys(old.outputs),
    );
    noSecretInClear(r.name, news, updated.outputs);
    if (kindOf(updated) === "robot" && plain(old.inputs.rotation) !== plain(updated.inputs.rotation))
      expect(plain(updated.outputs.secret), `${r.name}: rotated secret`).not.to.equal(
        plain(old.outputs.secret),
      );
    created.set(r.urn, updated);
    kindsUpdated.add(kindOf(updated));
  }

  // pulumi destroy: dependents first.
  for (const s of [...created.values()].reverse()) {
    await driver.delete(s);
    expect(harborLetGo(fake, s), `${s.name} deleted from Harbor`).to.equal(true);
  }
  for (const k of ["projects", "robots", "registries", "immutable", "replications"] as const)
    expect(fake.state[k].size, `Harbor ${k} after destroy`).to.equal(0);
  return { kindsCreated, kindsUpdated, movedToLoader };
}
