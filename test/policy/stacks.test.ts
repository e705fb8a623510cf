// The whole pack, offline, over everything the dev and prod stacks register (from the real
// Pulumi.<stack>.yaml files), with the stack's pack config as CI passes it.
import { expect } from "chai";
import { effectiveLevel, mandatory, type Violation } from "../../policy/lib/engine";
import { policies } from "../../policy/policies";
import { BROKEN_CONFIGS, PROTECTED_BUCKET } from "./broken-configs";
import { packConfig, packRun } from "./stack-runs";

const names = (vs: readonly Violation[]) => [...new Set(vs.map((v) => v.policy))].sort();
const key = (v: Violation) => `${v.policy}|${v.urn}|${v.message}`;

describe("policy pack over the stacks", () => {
  it("dev: no mandatory violation", async () => {
    expect(mandatory(await packRun("dev")).map(key)).to.deep.equal([]);
  });

  it("prod: no mandatory violation", async () => {
    expect(mandatory(await packRun("prod")).map(key)).to.deep.equal([]);
  });

  it("prod: a compliant, protected DR bucket adds no violation", async () => {
    const base = (await packRun("prod")).map(key);
    const withBucket = await packRun("prod", {}, (rs) => [...rs, ...PROTECTED_BUCKET]);
    expect(withBucket.map(key).filter((k) => !base.includes(k))).to.deep.equal([]);
  });

  for (const stack of ["dev", "prod"] as const) {
    it(`policy/config/${stack}.json sets the levels the engine derives for ${stack}`, () => {
      const config = packConfig(stack);
      for (const p of policies) {
        expect(effectiveLevel(p, stack, config), p.name).to.equal(effectiveLevel(p, stack));
      }
    });
  }

  describe("broken configurations", () => {
    for (const broken of BROKEN_CONFIGS) {
      it(`${broken.stack}: ${broken.name} → ${broken.expected.join(", ")}`, async () => {
        const baseline = mandatory(await packRun(broken.stack)).map(key);
        const found = mandatory(await packRun(broken.stack, broken.overrides, broken.mutate));
        const added = found.filter((v) => !baseline.includes(key(v)));
        expect(names(added)).to.deep.equal([...broken.expected].sort());
      });
    }
  });
});
