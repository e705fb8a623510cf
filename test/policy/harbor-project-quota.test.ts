import { expect } from "chai";
import { HARBOR_TYPES } from "../../policy/lib/harbor-resources";
import { harborProjectQuota } from "../../policy/policies/harbor-project-quota";
import { check, resource } from "./helpers";

const project = (storageLimit: unknown) =>
  resource(HARBOR_TYPES.project, { name: "library", quotaBytes: storageLimit });

describe("policy harbor-project-quota", () => {
  it("passes a project with a 100 GiB quota", async () => {
    expect(await check(harborProjectQuota, [project(100 * 2 ** 30)])).to.deep.equal([]);
  });
  it("ignores other Harbor objects", async () => {
    expect(await check(harborProjectQuota, [resource(HARBOR_TYPES.robot, {})])).to.deep.equal([]);
  });
  it("fails an unlimited (-1) quota", async () => {
    expect((await check(harborProjectQuota, [project(-1)]))[0]).to.match(/-1/);
  });
  it("fails a project without a quota", async () => {
    expect(await check(harborProjectQuota, [project(undefined)])).to.have.length(1);
  });
});
