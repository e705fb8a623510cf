import { expect } from "chai";
import { apiServerFlow, networkPolicies, type Flow } from "../components/network-policy";
import { harborFlows } from "../components/platform/flows";
import { admits } from "./reachability/network-policy";

const net = {
  ingressNamespace: "traefik",
  monitoringNamespace: "monitoring",
  apiServerCidrs: ["10.0.0.1/32"],
};

describe("networkPolicies", () => {
  // Behaviour, by Kubernetes' semantics (test/reachability/network-policy.ts), not the manifests' shape.
  const inNamespace = (manifests: ReturnType<typeof networkPolicies>) =>
    manifests.map((m) => ({
      namespace: "app",
      name: m.name,
      spec: { ...m.spec } as Record<string, unknown>,
    }));
  const pod = { namespace: "app", labels: { app: "x" } };
  const kubeDns = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };

  it("denies everything in and out but DNS to kube-dns (UDP and TCP 53)", () => {
    const policies = inNamespace(networkPolicies([]));
    expect(admits(policies, pod, kubeDns, 53, "UDP").egress).to.equal(true);
    expect(admits(policies, pod, kubeDns, 53, "TCP").egress).to.equal(true);
    expect(admits(policies, pod, kubeDns, 443).egress).to.equal(false);
    expect(
      admits(policies, pod, { namespace: "kube-system", labels: { app: "other" } }, 53, "UDP").egress,
    ).to.equal(false);
    expect(admits(policies, pod, { ip: "203.0.113.10" }, 443).egress).to.equal(false);
    expect(admits(policies, { namespace: "other" }, pod, 8080).ingress).to.equal(false);
    expect(admits(policies, { namespace: "app", labels: { app: "y" } }, pod, 8080).ingress).to.equal(false);
  });

  it("limits API server egress to the configured addresses, on 443 and 6443", () => {
    const policies = inNamespace(networkPolicies([apiServerFlow(net.apiServerCidrs)]));
    expect(admits(policies, pod, { ip: "10.0.0.1" }, 443).egress).to.equal(true);
    expect(admits(policies, pod, { ip: "10.0.0.1" }, 6443).egress).to.equal(true);
    expect(admits(policies, pod, { ip: "10.0.0.1" }, 80).egress).to.equal(false);
    expect(admits(policies, pod, { ip: "10.0.0.2" }, 443).egress).to.equal(false);
  });

  it("makes one policy per pod selector, each flow a rule; a selector's policy isolates only its flows' directions", () => {
    const web = { app: "web", tier: "front" };
    const flows: Flow[] = [
      {
        name: "from-lb",
        direction: "ingress",
        pods: web,
        peers: [{ cidrs: ["0.0.0.0/0"] }],
        ports: [{ port: 80 }],
      },
      // The same selector with its labels in another order: the API server sees one selector.
      {
        name: "web-out",
        direction: "egress",
        pods: { tier: "front", app: "web" },
        peers: [{ namespace: "db" }],
      },
      { name: "db-out", direction: "egress", pods: { app: "db" }, peers: [{ namespace: "db" }] },
      apiServerFlow(net.apiServerCidrs),
    ];
    const manifests = networkPolicies(flows);
    expect(manifests.map((m) => [m.name, m.spec.policyTypes, m.flows])).to.deep.equal([
      ["all-pods", ["Ingress", "Egress"], { ingress: [], egress: ["dns", "kube-api"] }],
      ["web-front", ["Ingress", "Egress"], { ingress: ["from-lb"], egress: ["web-out"] }],
      ["db", ["Egress"], { ingress: [], egress: ["db-out"] }],
    ]);
    const policies = inNamespace(manifests);
    const webPod = { namespace: "app", labels: web };
    const dbPod = { namespace: "db", labels: { app: "db" } };
    expect(admits(policies, { ip: "203.0.113.10" }, webPod, 80).ingress).to.equal(true);
    expect(admits(policies, webPod, dbPod, 5432).egress).to.equal(true);
    expect(admits(policies, pod, dbPod, 5432).egress).to.equal(false);
    expect(admits(policies, webPod, { ip: "10.0.0.1" }, 443).egress).to.equal(true);
  });

  it("refuses two flows with one name (the second would overwrite the first)", () => {
    expect(() => networkPolicies([apiServerFlow([]), apiServerFlow([])])).to.throw(
      "two flows named kube-api",
    );
  });

  it("admits clients from anywhere when Harbor is exposed by a LoadBalancer", () => {
    const flows = harborFlows({
      namespace: "app",
      net,
      exposure: { kind: "loadBalancer" },
      egress: [{ caller: "harbor-core", host: "*", port: 443, http: true, source: "proxy-cache upstreams" }],
    });
    const nginx = { namespace: "app", labels: { app: "harbor", component: "nginx" } };
    expect(admits(inNamespace(networkPolicies(flows)), { ip: "203.0.113.10" }, nginx, 8443).ingress).to.equal(
      true,
    );
  });
});
