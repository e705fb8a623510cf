// X.509 CommonNames are at most 64 characters (RFC 5280 appendix A, ub-common-name) and
// cert-manager v1.21.1 refuses a Certificate whose spec.commonName is longer
// (internal/apis/certmanager/validation/certificate.go: field.TooLong(commonName, 64)), while a
// hostname may be 253. Every certificate named after the hostname must still fit.
import { expect } from "chai";
import { rootCaCommonName, serverCommonName } from "../../components/tls";
import { evaluateStack, type Registered } from "../harness";

// A valid 253-character DNS name: three 63-character labels and one of 61.
const LONG_HOSTNAME = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");

/** Every `commonName` anywhere in a resource's inputs (TLS subjects, cert-manager specs). */
function commonNames(resources: Registered[]): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k === "commonName" && typeof child === "string") found.push(child);
        walk(child);
      }
    }
  };
  resources.forEach((r) => walk(r.inputs));
  return found;
}

describe("certificate CommonNames fit X.509's 64 characters", () => {
  it("the hostname is 253 characters, a valid DNS name", () => {
    expect(LONG_HOSTNAME).to.have.length(253);
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: a 253-character hostname leaves no CommonName over 64, the name still in the certificates`, async () => {
      const run = await evaluateStack(stack, { hostname: LONG_HOSTNAME });
      const names = commonNames(run.resources);
      // The root CA always carries one: the walk finds what it looks for.
      expect(names).to.include(rootCaCommonName(LONG_HOSTNAME));
      expect(names.filter((n) => n.length > 64)).to.deep.equal([]);
      // Clients match the hostname in the subjectAltNames, which keep it whole.
      expect(JSON.stringify(run.resources.map((r) => r.inputs))).to.include(`"dnsNames":["${LONG_HOSTNAME}"`);
    });
  }

  it("a hostname that fits keeps today's names (no certificate reissued on upgrade)", () => {
    expect(rootCaCommonName("registry.example.com")).to.equal("registry.example.com root CA");
    expect(serverCommonName("registry.example.com")).to.equal("registry.example.com");
    expect(rootCaCommonName(LONG_HOSTNAME)).to.have.length(64);
    expect(rootCaCommonName(LONG_HOSTNAME)).to.match(/^a+\.\.\. root CA$/);
    expect(serverCommonName(LONG_HOSTNAME)).to.equal(undefined);
  });
});
