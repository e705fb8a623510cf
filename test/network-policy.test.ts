import { expect } from "chai";
import { apiServerFlow, networkPolicies } from "../components/network-policy";
import { harborFlows } from "../components/platform/flows";

const net = {
  ingressNamespace: "traefik",
  monitoringNamespace: "monitoring",
  apiServerCidrs: ["10.0.0.1/32"],
};

describe("networkPolicies", () => {
  it("starts with a deny-all for both directions and DNS to kube-dns", () => {
    const [deny, dns] = networkPolicies([]);
    expect(deny).to.deep.equal({
      name: "default-deny",
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    expect(dns.name).to.equal("allow-dns");
    expect(dns.spec.egress).to.deep.equal([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
  });

  it("limits API server egress to the configured addresses", () => {
    const [, , api] = networkPolicies([apiServerFlow(net.apiServerCidrs)]);
    expect(api.spec.egress).to.deep.equal([
      {
        to: [{ ipBlock: { cidr: "10.0.0.1/32" } }],
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
  });

  it("refuses two flows with one name (the second would overwrite the first)", () => {
    expect(() => networkPolicies([apiServerFlow([]), apiServerFlow([])])).to.throw(
      "two flows named kube-api",
    );
  });

  it("admits clients from anywhere when Harbor is exposed by a LoadBalancer", () => {
    const flows = harborFlows({
      namespace: "harbor",
      net,
      exposure: { kind: "loadBalancer" },
      egress: { core: [443], jobservice: [443], trivy: [443], registry: [] },
    });
    expect(flows.find((f) => f.name === "from-ingress-nginx")?.peers).to.deep.equal([
      { cidrs: ["0.0.0.0/0"] },
    ]);
  });
});
