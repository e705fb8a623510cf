// Every Helm release and custom resource each stack registers, checked against the pinned
// upstream copies: value paths, chart versions, CRD schemas with unknown fields refused.
import { expect } from "chai";
import { evaluateStack, type StackRun } from "../harness";
import { charts } from "../../versions";
import { conformanceProblems } from "./check";
import { CHARTS } from "./helm-values";
import { chartData } from "./upstream";

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

describe("conformance: pinned versions", () => {
  it("every chart pinned in versions/ equals its upstream copy and folder", () => {
    for (const pin of Object.values(charts)) {
      expect(CHARTS[pin.chart]?.folder, pin.chart).to.equal(pin.upstream);
      expect(CHARTS[pin.chart]?.repos, pin.chart).to.include(pin.repo);
      expect(chartData(pin.upstream).chartVersion, pin.chart).to.equal(pin.version);
    }
  });
});
