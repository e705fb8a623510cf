// Every Helm release and custom resource each stack registers, checked against the pinned
// upstream copies: value paths, chart versions, CRD schemas with unknown fields refused.
import { expect } from "chai";
import { evaluateStack, type StackRun } from "../harness";
import { conformanceProblems } from "./check";

for (const stack of ["dev", "prod"]) {
  describe(`conformance: ${stack} stack`, () => {
    let run: StackRun;
    before(async () => {
      run = await evaluateStack(stack);
    });

    it("registers at least the Harbor release", () => {
      expect(run.byType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart)).to.include("harbor");
    });

    it("sets only values, versions and CR fields the pinned upstream accepts", () => {
      expect(conformanceProblems(run.resources)).to.deep.equal([]);
    });
  });
}
