import { expect } from "chai";
import { harborTlsExposure } from "../../policy/policies/harbor-tls-exposure";
import { check, harborValues, release } from "./helpers";

describe("policy harbor-tls-exposure", () => {
  it("passes Harbor with TLS, a certificate and an https URL", async () => {
    expect(await check(harborTlsExposure, [release("harbor", harborValues())])).to.deep.equal([]);
  });
  it("ignores other charts", async () => {
    expect(await check(harborTlsExposure, [release("minio", { externalURL: "http://x" })])).to.deep.equal([]);
  });
  it("fails when expose.tls.enabled is false", async () => {
    const v = harborValues({ expose: { type: "ingress", tls: { enabled: false } } });
    const found = await check(harborTlsExposure, [release("harbor", v)]);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/expose\.tls\.enabled/);
  });
  it("fails when certSource is none", async () => {
    const v = harborValues({ expose: { type: "ingress", tls: { enabled: true, certSource: "none" } } });
    expect((await check(harborTlsExposure, [release("harbor", v)]))[0]).to.match(/certSource is none/);
  });
  it("fails on an http external URL", async () => {
    const v = harborValues({ externalURL: "http://harbor.example.com" });
    expect((await check(harborTlsExposure, [release("harbor", v)]))[0]).to.match(/externalURL/);
  });
});
