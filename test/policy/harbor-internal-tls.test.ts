import { expect } from "chai";
import { harborInternalTls } from "../../policy/policies/harbor-internal-tls";
import { check, harborValues, release } from "./helpers";

describe("policy harbor-internal-tls", () => {
  it("passes prod Harbor with internal TLS", async () => {
    expect(await check(harborInternalTls, [release("harbor", harborValues())])).to.deep.equal([]);
  });
  it("does not apply to dev (one replica, internal database)", async () => {
    const v = harborValues({ internalTLS: undefined, core: { replicas: 1 }, database: { type: "internal" } });
    expect(await check(harborInternalTls, [release("harbor", v)])).to.deep.equal([]);
  });
  it("fails prod Harbor without internal TLS", async () => {
    const v = harborValues({ internalTLS: { enabled: false } });
    expect((await check(harborInternalTls, [release("harbor", v)]))[0]).to.match(/internalTLS\.enabled/);
  });
});
