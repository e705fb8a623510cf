// The hostname is an Ingress host, a certificate's DNS name and Harbor's external URL: held to
// Kubernetes' and DNS's rules, not ours. Cases from kubernetes/kubernetes @ 3782b558a28fc5cc7d3f451fd03cbbb802d12a62
// staging/src/k8s.io/apimachinery/pkg/util/validation/validation_test.go
// (TestIsFullyQualifiedDomainName: labels of at most 63, 253 in all) and the Ingress rule of
// pkg/apis/networking/validation/validation.go ("must be a DNS name, not an IP address"); a
// trailing dot is refused as IsDNS1123Subdomain refuses "a." (same file, TestIsDNS1123Subdomain).
import { expect } from "chai";
import { dnsName } from "../../config/schema/define";
import { readLeaf } from "./read-leaf";

const accepts = (h: string) => {
  try {
    return readLeaf("hostname", dnsName(), h) === h;
  } catch {
    return false;
  }
};

describe("config: hostname against Kubernetes' and DNS rules", () => {
  it("accepts the fully qualified names Kubernetes accepts (IP addresses and the trailing dot aside)", () => {
    const good = [
      "a.com",
      "k8s.io",
      "dev.k8s.io",
      "foo.example.com",
      "this.is.a.really.long.fqdn",
      "bbc.co.uk",
      "hyphens-are-good.k8s.io",
      `${"a".repeat(63)}.k8s.io`,
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(54)}.k8s.io`,
    ];
    expect(good.filter((h) => !accepts(h))).to.deep.equal([]);
  });

  it("refuses what Kubernetes refuses as a fully qualified name", () => {
    const bad = [
      ".",
      "...",
      ".io",
      "com",
      ".com",
      "Dev.k8s.io",
      ".foo.example.com",
      "*.example.com",
      "*.bar.com",
      "*.foo.bar.com",
      "underscores_are_bad.k8s.io",
      "foo@bar.example.com",
      "http://foo.example.com",
      `${"a".repeat(64)}.k8s.io`,
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(55)}.k8s.io`,
    ];
    expect(bad.filter(accepts)).to.deep.equal([]);
  });

  it("refuses IP addresses (an Ingress host must be a DNS name) and a trailing dot", () => {
    const bad = ["10.0.0.1", "192.0.2.7", "::1", "2001:db8::1", "[2001:db8::1]", "dev.k8s.io."];
    expect(bad.filter(accepts)).to.deep.equal([]);
  });
});
