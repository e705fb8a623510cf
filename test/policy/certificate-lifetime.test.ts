import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { certificateLifetime } from "../../policy/policies/certificate-lifetime";
import { check, resource } from "./helpers";

const DAY = 24;
const leaf = (days: number) =>
  resource(TYPES.locallySignedCert, {
    validityPeriodHours: days * DAY,
    allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
  });
const ca = (days: number) =>
  resource(TYPES.selfSignedCert, {
    validityPeriodHours: days * DAY,
    isCaCertificate: true,
    allowedUses: ["cert_signing"],
  });
const cm = (spec: Record<string, unknown>) => resource(TYPES.certificate, { spec });

describe("policy certificate-lifetime", () => {
  it("passes a 397-day leaf, a 10-year CA and cert-manager's 90-day default", async () => {
    expect(
      await check(certificateLifetime, [
        leaf(397),
        ca(3650),
        cm({ secretName: "x" }),
        cm({ duration: "2160h0m0s" }),
      ]),
    ).to.deep.equal([]);
  });
  it("fails a TLS leaf valid for more than 825 days", async () => {
    expect((await check(certificateLifetime, [leaf(900)]))[0]).to.match(/900 days; at most 825/);
  });
  it("fails a CA valid for 20 years", async () => {
    expect(await check(certificateLifetime, [ca(7300)])).to.have.length(1);
  });
  it("fails a cert-manager Certificate with a 5-year duration", async () => {
    expect(await check(certificateLifetime, [cm({ duration: "43800h" })])).to.have.length(1);
  });
  it("fails a certificate without a lifetime", async () => {
    expect(await check(certificateLifetime, [resource(TYPES.selfSignedCert, {})])).to.have.length(1);
  });
});
