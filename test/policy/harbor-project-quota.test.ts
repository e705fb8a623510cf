import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { harborProjectQuota } from "../../policy/policies/harbor-project-quota";
import { check, resource } from "./helpers";

const project = (storageLimit: unknown) =>
  resource(TYPES.dynamic, { harborKind: "project", name: "library", storageLimit });

describe("policy harbor-project-quota", () => {
  it("passes a project with a 100 GiB quota", async () => {
    expect(await check(harborProjectQuota, [project(100 * 2 ** 30)])).to.deep.equal([]);
  });
  it("ignores other Harbor objects", async () => {
    expect(await check(harborProjectQuota, [resource(TYPES.dynamic, { harborKind: "robot" })])).to.deep.equal(
      [],
    );
  });
  it("fails an unlimited (-1) quota", async () => {
    expect((await check(harborProjectQuota, [project(-1)]))[0]).to.match(/-1/);
  });
  it("fails a project without a quota", async () => {
    expect(await check(harborProjectQuota, [project(undefined)])).to.have.length(1);
  });
});
