// The upgrade gate through the real nodejs dynamic-provider host (@pulumi/pulumi 3.248.0
// cmd/dynamic-provider), driven over gRPC as the engine drives it: its `__provider` is the
// program's own registration, Check sees the state's inputs (olds) beside the program's (news)
// and refuses a jump outside Harbor's upgrade path; the state then records the new version and
// the one before it, which makes the next pre-upgrade backup awaited.
import { expect } from "chai";
import { evaluateStack } from "../harness";
import { GATE_TYPE } from "../../components/harbor/upgrade";
import { plain, startHarborHost, type HarborHost } from "./harbor-host";
import type { PropertyMap } from "./provider-engine";

describe("upgrade gate through the real dynamic-provider host", function () {
  let host: HarborHost;
  let inputs: PropertyMap;
  const ref = { urn: `urn:pulumi:prod::harbor-platform::${GATE_TYPE}::gate`, name: "gate", type: GATE_TYPE };
  const withVersion = (chartVersion: string): PropertyMap => ({ ...inputs, chartVersion });

  before(async () => {
    host = await startHarborHost();
    const run = await evaluateStack("prod");
    inputs = run.one(GATE_TYPE).wire.inputs;
  });
  after(async () => {
    await host?.plugin.stop();
  });

  it("records the pinned version on a first install, with no check against anything", async () => {
    const checked = await host.driver.check(ref, {}, inputs);
    expect(checked.failures).to.deep.equal([]);
    const created = await host.driver.create(ref, checked.inputs, []);
    expect(plain(created.outputs)).to.deep.include({ chartVersion: "1.19.2", previousChartVersion: "" });
  });

  it("refuses a chart off the pin when its state holds no deployed version: the jump cannot be checked", async () => {
    // A stack deployed before the gate existed (or a new one): no olds.
    expect(inputs.verifiedChartVersion).to.equal("1.19.2");
    const checked = await host.driver.check(ref, {}, withVersion("1.19.4"));
    expect(checked.failures.map((f) => [f.getProperty(), f.getReason()])).to.deep.equal([
      [
        "chartVersion",
        `harborChartVersion: the upgrade gate holds no deployed chart version (a stack deployed before the gate existed, or a new one), so the jump to 1.19.4 cannot be checked: deploy the pinned 1.19.2 first if Harbor runs it or is new, else record the chart Harbor runs in the gate's state (docs/runbooks/harbor-upgrade.md, "The gate's record")`,
      ],
    ]);
    // With a recorded version the same target is an ordinary patch step.
    const state = await host.driver.create(ref, withVersion("1.19.2"), []);
    expect((await host.driver.check(ref, state.inputs, withVersion("1.19.4"))).failures).to.deep.equal([]);
  });

  it("refuses a jump outside Harbor's upgrade path in Check, naming the key", async () => {
    const state = await host.driver.create(ref, withVersion("1.15.2"), []);
    const checked = await host.driver.check(ref, state.inputs, inputs);
    expect(checked.failures.map((f) => [f.getProperty(), f.getReason()])).to.deep.equal([
      [
        "chartVersion",
        "harborChartVersion: chart 1.15.2 (Harbor 2.11.2) -> 1.19.2 (Harbor 2.15.2) is outside Harbor's documented upgrade path: Harbor 2.15 migrates from 2.12.0 or later; upgrade to a release in between first",
      ],
    ]);
  });

  it("refuses a downgrade", async () => {
    const state = await host.driver.create(ref, withVersion("1.19.4"), []);
    const checked = await host.driver.check(ref, state.inputs, inputs);
    expect(checked.failures.map((f) => f.getReason())[0]).to.match(/is a downgrade; Harbor cannot downgrade/);
  });

  it("lets a documented upgrade through, then remembers where it came from", async () => {
    const state = await host.driver.create(ref, withVersion("1.18.4"), []);
    const checked = await host.driver.check(ref, state.inputs, inputs);
    expect(checked.failures).to.deep.equal([]);
    const diff = await host.driver.diff(state, checked.inputs);
    expect(diff.getChanges()).to.equal(2); // DIFF_SOME
    expect(diff.getReplacesList()).to.deep.equal([]);
    const updated = await host.driver.update(state, checked.inputs);
    expect(plain(updated.outputs)).to.deep.include({
      chartVersion: "1.19.2",
      previousChartVersion: "1.18.4",
    });
    // An unchanged version is no change: the next up keeps the record.
    const again = await host.driver.diff(updated, checked.inputs);
    expect(again.getChanges()).to.equal(1); // DIFF_NONE
  });
});
