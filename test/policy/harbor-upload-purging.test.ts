import { expect } from "chai";
import { harborUploadPurging } from "../../policy/policies/harbor-upload-purging";
import { check, harborValues, release } from "./helpers";

describe("policy harbor-upload-purging", () => {
  it("passes upload purging on (and the chart default)", async () => {
    expect(await check(harborUploadPurging, [release("harbor", harborValues())])).to.deep.equal([]);
    expect(
      await check(harborUploadPurging, [release("harbor", harborValues({ registry: {} }))]),
    ).to.deep.equal([]);
  });
  it("fails upload purging turned off", async () => {
    const v = harborValues({ registry: { upload_purging: { enabled: false } } });
    expect(await check(harborUploadPurging, [release("harbor", v)])).to.have.length(1);
  });
  it("fails a dry run", async () => {
    const v = harborValues({ registry: { upload_purging: { enabled: true, dryrun: true } } });
    expect((await check(harborUploadPurging, [release("harbor", v)]))[0]).to.match(/dryrun/);
  });
});
