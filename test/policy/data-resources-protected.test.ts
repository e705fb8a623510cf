import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { dataResourcesProtected } from "../../policy/policies/data-resources-protected";
import { check, resource, runFull } from "./helpers";

describe("policy data-resources-protected", () => {
  it("passes protected volumes, databases, buckets and keys", async () => {
    const rs = [TYPES.pvc, TYPES.cnpgCluster, TYPES.bucketV2, TYPES.kmsKey].map((t) =>
      resource(t, {}, { protect: true }),
    );
    expect(await check(dataResourcesProtected, rs)).to.deep.equal([]);
  });
  it("ignores resources that hold no data", async () => {
    expect(await check(dataResourcesProtected, [resource(TYPES.namespace, {})])).to.deep.equal([]);
  });
  for (const type of [TYPES.pvc, TYPES.cnpgCluster, TYPES.bucketV2, TYPES.kmsKey]) {
    it(`fails an unprotected ${type}`, async () => {
      expect(await check(dataResourcesProtected, [resource(type, {})])).to.have.length(1);
    });
  }
  it("is advisory in dev and mandatory in prod unless the pack config says otherwise", async () => {
    const rs = [resource(TYPES.pvc, {})];
    expect((await runFull(dataResourcesProtected, rs, { topology: "dev" }))[0].level).to.equal("advisory");
    expect((await runFull(dataResourcesProtected, rs, { topology: "prod" }))[0].level).to.equal("mandatory");
    const config = { "data-resources-protected": { enforcementLevel: "mandatory" as const } };
    expect((await runFull(dataResourcesProtected, rs, { topology: "dev", config }))[0].level).to.equal(
      "mandatory",
    );
  });
});
