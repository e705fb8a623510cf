import { expect } from "chai";
import { harborDatabaseTls } from "../../policy/policies/harbor-database-tls";
import { check, harborValues, release } from "./helpers";

const external = (sslmode: string, replicas = 3) =>
  harborValues({ core: { replicas }, database: { type: "external", external: { sslmode } } });

describe("policy harbor-database-tls", () => {
  it("passes prod with verify-full", async () => {
    expect(await check(harborDatabaseTls, [release("harbor", external("verify-full"))])).to.deep.equal([]);
  });
  it("passes dev with the chart's internal database", async () => {
    const v = harborValues({ core: { replicas: 1 }, database: { type: "internal" } });
    expect(await check(harborDatabaseTls, [release("harbor", v)])).to.deep.equal([]);
  });
  it("fails prod with verify-ca", async () => {
    expect((await check(harborDatabaseTls, [release("harbor", external("verify-ca"))]))[0]).to.match(
      /verify-full/,
    );
  });
  it("fails an external database with require (no server verification)", async () => {
    expect(await check(harborDatabaseTls, [release("harbor", external("require", 1))])).to.have.length(1);
  });
  it("fails prod on the chart's internal database", async () => {
    const v = harborValues({ database: { type: "internal" } });
    expect((await check(harborDatabaseTls, [release("harbor", v)]))[0]).to.match(/external database/);
  });
});
