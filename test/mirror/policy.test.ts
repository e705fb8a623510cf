// The policy pack CI runs holds the air-gapped stacks to the same rules: charts pinned when they
// come from the mirror's OCI repository, image tags still pinned on the mirror.
import { expect } from "chai";
import { mandatory } from "../../policy/lib/engine";
import { packRun } from "../policy/stack-runs";
import { MIRRORED_STACKS } from "./stacks";

describe("mirror: the policy pack over the air-gapped stacks", () => {
  for (const [what, stack, overrides] of MIRRORED_STACKS)
    it(`${what}: no mandatory violation`, async () => {
      const found = mandatory(await packRun(stack, overrides()));
      expect(found.map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
    });
});
