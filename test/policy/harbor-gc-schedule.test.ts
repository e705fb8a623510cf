import { expect } from "chai";
import { HARBOR_TYPES } from "../../policy/lib/harbor-resources";
import { harborGcSchedule } from "../../policy/policies/harbor-gc-schedule";
import { check, resource } from "./helpers";

const gc = (props: Record<string, unknown>) =>
  resource(HARBOR_TYPES.gcSchedule, { deleteUntagged: true, ...props });
const project = resource(HARBOR_TYPES.project, { quotaBytes: 1 });

describe("policy harbor-gc-schedule", () => {
  it("passes weekly, daily and typed schedules that delete untagged artifacts", async () => {
    for (const props of [
      { cron: "0 0 3 * * 0" },
      { cron: "0 30 2 * * *" },
      { cron: "0 0 1 */7 * *" },
      { cron: "0 0 3 * * sun" },
      { scheduleType: "Daily", cron: "0 0 0 * * *" },
      { scheduleType: "Weekly" },
    ]) {
      expect(await check(harborGcSchedule, [gc(props)]), JSON.stringify(props)).to.deep.equal([]);
    }
  });
  it("does not apply when the stack manages no Harbor configuration", async () => {
    expect(await check(harborGcSchedule, [])).to.deep.equal([]);
  });
  it("fails when Harbor is configured without a GC schedule", async () => {
    expect((await check(harborGcSchedule, [project]))[0]).to.match(/no Harbor garbage-collection schedule/);
  });
  it("fails a schedule that keeps untagged artifacts", async () => {
    expect(await check(harborGcSchedule, [gc({ cron: "0 0 3 * * 0", deleteUntagged: false })])).to.deep.equal(
      ["the GC schedule does not delete untagged artifacts."],
    );
  });
  it("fails monthly and yearly schedules", async () => {
    for (const cron of ["0 0 3 1 * *", "0 0 0 1 1 *", "0 0 0 1 * *", "0 0 3 1,15 * *"]) {
      expect(await check(harborGcSchedule, [gc({ cron })]), cron).to.have.length(1);
    }
  });
  it("fails a cron Harbor refuses (5 fields, seconds not 0, a descriptor) and a manual schedule", async () => {
    expect(await check(harborGcSchedule, [gc({ cron: "0 3 * * 0" })])).to.have.length(1);
    // Harbor's CronParser has no Descriptor flag (src/common/utils/utils.go, see test/concepts/cron.test.ts).
    expect(await check(harborGcSchedule, [gc({ cron: "@weekly" })])).to.have.length(1);
    expect(await check(harborGcSchedule, [gc({ cron: "5 0 3 * * 0" })])).to.have.length(1);
    expect(await check(harborGcSchedule, [gc({ scheduleType: "Manual" })])).to.have.length(1);
  });
});
