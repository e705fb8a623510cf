import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { tlsKeyStrength } from "../../policy/policies/tls-key-strength";
import { check, resource } from "./helpers";

const key = (props: Record<string, unknown>) => resource(TYPES.privateKey, props);

describe("policy tls-key-strength", () => {
  it("passes RSA 4096, ECDSA P256/P384 and Ed25519", async () => {
    const keys = [
      key({ algorithm: "RSA", rsaBits: 4096 }),
      key({ algorithm: "ECDSA", ecdsaCurve: "P256" }),
      key({ algorithm: "ECDSA", ecdsaCurve: "P384" }),
      key({ algorithm: "ED25519" }),
    ];
    expect(await check(tlsKeyStrength, keys)).to.deep.equal([]);
  });
  it("fails RSA 1024", async () => {
    expect(await check(tlsKeyStrength, [key({ algorithm: "RSA", rsaBits: 1024 })])).to.have.length(1);
  });
  it("fails ECDSA on the provider's default curve P224", async () => {
    expect((await check(tlsKeyStrength, [key({ algorithm: "ECDSA" })]))[0]).to.match(/P224/);
  });
  it("honours a stricter minRsaBits from the pack config", async () => {
    const config = { "tls-key-strength": { minRsaBits: 3072 } };
    expect(
      await check(tlsKeyStrength, [key({ algorithm: "RSA", rsaBits: 2048 })], { config }),
    ).to.have.length(1);
  });
});
