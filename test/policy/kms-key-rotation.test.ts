import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { kmsKeyRotation } from "../../policy/policies/kms-key-rotation";
import { check, resource } from "./helpers";

describe("policy kms-key-rotation", () => {
  it("passes a rotating key", async () => {
    expect(await check(kmsKeyRotation, [resource(TYPES.kmsKey, { enableKeyRotation: true })])).to.deep.equal(
      [],
    );
  });
  it("fails a key without rotation", async () => {
    expect(await check(kmsKeyRotation, [resource(TYPES.kmsKey, {})])).to.have.length(1);
  });
});
