// Harbor's own HA entry point for clusters without an ingress controller: with
// `exposure: loadBalancer` the chart's nginx (every replica, a PDB, spread over nodes) sits behind a
// LoadBalancer Service whose fixed address MetalLB, kube-vip or a cloud controller announces. The
// large-push settings are the chart's own nginx configuration (harbor-helm 1.19.2
// templates/nginx/configmap-https.yaml: client_max_body_size 0, proxy_request_buffering off,
// /v2/ proxy_send_timeout and proxy_read_timeout 900). The cluster's own ingress stays the default.
import { expect } from "chai";
import { charts } from "../../versions";
import { coalesce } from "../conformance/helm-values";
import { conformanceProblems } from "../conformance/check";
import { chartData } from "../conformance/upstream";
import { at, evaluateStack, type StackRun } from "../harness";

const LB = { exposure: "loadBalancer", ingressClassName: undefined } as const;
const values = (run: StackRun) =>
  coalesce(
    chartData(charts.harbor.upstream).values,
    run.one("kubernetes:helm.sh/v3:Release", "harbor").inputs.values as Record<string, unknown>,
  );

describe("entry point: Harbor's nginx behind a LoadBalancer with a fixed address", () => {
  it("prod: every replica of nginx, a PDB keeping all but one, spread over nodes and zones", async () => {
    const run = await evaluateStack("prod", { ...LB, loadBalancer: { addresses: ["192.0.2.10"] } });
    const v = values(run);
    expect(at(v, "expose.type")).to.equal("loadBalancer");
    expect(at(v, "nginx.replicas")).to.equal(3);
    expect(at(v, "nginx.podDisruptionBudget")).to.deep.equal({ enabled: true, minAvailable: 2 });
    expect(
      (at(v, "nginx.topologySpreadConstraints") as { topologyKey: string }[]).map((c) => c.topologyKey),
    ).to.deep.equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    // Clients reach nginx from anywhere; nothing else in Harbor's namespace is opened.
    const nginxPolicy = run
      .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .find((p) => at(p.inputs, "spec.podSelector.matchLabels.component") === "nginx");
    expect(JSON.stringify(nginxPolicy?.inputs)).to.include("0.0.0.0/0");
    expect(conformanceProblems(run.resources)).to.deep.equal([]);
  });

  it("MetalLB: the address in both annotation prefixes, never beside spec.loadBalancerIP (MetalLB refuses both)", async () => {
    const v = values(
      await evaluateStack("prod", {
        ...LB,
        loadBalancer: {
          addresses: ["192.0.2.10"],
          addressPool: "registry",
          sourceRanges: ["10.0.0.0/8"],
        },
      }),
    );
    expect(at(v, "expose.loadBalancer")).to.deep.include({
      name: "harbor",
      IP: "",
      annotations: {
        "metallb.io/loadBalancerIPs": "192.0.2.10",
        "metallb.universe.tf/loadBalancerIPs": "192.0.2.10",
        "metallb.io/address-pool": "registry",
        "metallb.universe.tf/address-pool": "registry",
      },
      sourceRanges: ["10.0.0.0/8"],
    });
  });

  it("kube-vip: its own annotation", async () => {
    const v = values(
      await evaluateStack("dev", {
        ...LB,
        loadBalancer: { announcer: "kube-vip", addresses: ["192.0.2.20"] },
      }),
    );
    expect(at(v, "expose.loadBalancer.annotations")).to.deep.equal({
      "kube-vip.io/loadbalancerIPs": "192.0.2.20",
    });
    expect(at(v, "expose.loadBalancer.IP")).to.equal("");
  });

  it("a cloud load balancer: spec.loadBalancerIP, no annotation", async () => {
    const v = values(
      await evaluateStack("prod", {
        ...LB,
        loadBalancer: { announcer: "cloud", addresses: ["203.0.113.7"] },
      }),
    );
    expect(at(v, "expose.loadBalancer")).to.deep.include({ IP: "203.0.113.7", annotations: {} });
  });

  it("without addresses the load balancer picks one (the chart's defaults)", async () => {
    const v = values(await evaluateStack("prod", LB));
    expect(at(v, "expose.loadBalancer")).to.deep.include({ IP: "", annotations: {}, sourceRanges: [] });
  });

  it("keeps the cluster's ingress controller as the default: no nginx of Harbor's own", async () => {
    const v = values(await evaluateStack("prod"));
    expect(at(v, "expose.type")).to.equal("ingress");
    expect(at(v, "nginx.replicas")).to.equal(1);
  });
});
