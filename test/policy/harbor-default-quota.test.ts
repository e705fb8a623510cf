import { expect } from "chai";
import { HARBOR_TYPES } from "../../policy/lib/harbor-resources";
import { harborDefaultQuota } from "../../policy/policies/harbor-default-quota";
import { check, resource } from "./helpers";

const settings = (storagePerProject: unknown) =>
  resource(HARBOR_TYPES.systemSettings, { values: { storage_per_project: storagePerProject } });
const gc = resource(HARBOR_TYPES.gcSchedule, { cron: "0 0 3 * * 0", deleteUntagged: true });

describe("policy harbor-default-quota", () => {
  it("passes a finite default project quota", async () => {
    expect(await check(harborDefaultQuota, [settings(50 * 2 ** 30), gc])).to.deep.equal([]);
  });
  it("does not apply when the stack manages no Harbor configuration", async () => {
    expect(await check(harborDefaultQuota, [])).to.deep.equal([]);
  });
  it("fails an unlimited default quota", async () => {
    expect(await check(harborDefaultQuota, [settings(-1)])).to.have.length(1);
  });
  it("fails when Harbor is configured but no system settings set the default quota", async () => {
    expect((await check(harborDefaultQuota, [gc]))[0]).to.match(/no Harbor system settings/);
  });
});
