// NetworkPolicies as narrow as the topology allows and as wide as the config needs, evaluated
// with Kubernetes' semantics (../reachability/network-policy.ts) over what the prod stack registers:
// - the API server's addresses are required in prod, never 0.0.0.0/0;
// - only Harbor's components that call out reach the internet: core (proxy-cache pulls,
//   OIDC/LDAP login), jobservice (replication), trivy (its databases) and, with an external S3,
//   the registry (its storage driver); each on the ports the config makes it dial;
// - the ingress controller reaches only what Harbor's Ingress and HTTPRoute route to (core and
//   portal: harbor-helm 1.19.2 templates/ingress/ingress.yaml, gateway-apis/route.yaml), or nginx
//   behind a LoadBalancer (templates/nginx/service.yaml selects component=nginx).
import { expect } from "chai";
import { LDAP_AUTH } from "../harness/options";
import { at, evaluateStack, stackConfig, StackSecret, type StackRun } from "../harness";
import { admits, policiesOf } from "../reachability/network-policy";

// An address on the internet (TEST-NET-3, RFC 5737).
const INTERNET = { ip: "203.0.113.10" } as const;
const COMPONENTS = ["core", "jobservice", "registry", "portal", "trivy", "exporter", "nginx"];
const pod = (component: string) => ({ app: "harbor", release: "harbor", component });

async function refusal(overrides: Record<string, unknown>, key: string): Promise<string | undefined> {
  try {
    await evaluateStack("prod", overrides);
  } catch (err) {
    return (err as Error).message.split("\n").find((l) => l.includes(key));
  }
  return undefined;
}

function egressFrom(run: StackRun, namespace: string, labels: Record<string, string>, port: number): boolean {
  return admits(policiesOf(run), { namespace, labels }, INTERNET, port).egress;
}

describe("prod NetworkPolicies: scope", () => {
  const net = () => stackConfig("prod").networkPolicy as Record<string, unknown>;

  it("requires the API server's addresses and refuses 0.0.0.0/0, in one line", async () => {
    const withoutCidrs = Object.fromEntries(Object.entries(net()).filter(([k]) => k !== "apiServerCidrs"));
    expect(await refusal({ networkPolicy: withoutCidrs }, "apiServerCidrs")).to.match(
      /^harbor-platform:networkPolicy\.apiServerCidrs = \(unset\): required in prod: the API server's endpoint addresses/,
    );
    expect(
      await refusal({ networkPolicy: { ...net(), apiServerCidrs: ["0.0.0.0/0"] } }, "apiServerCidrs"),
    ).to.match(
      /^harbor-platform:networkPolicy\.apiServerCidrs\[0\] = "0\.0\.0\.0\/0": in prod the API server's endpoint addresses .*, not every address$/,
    );
    const run = await evaluateStack("prod");
    const open = policiesOf(run).filter(
      (p) => /kube-api|webhook/.test(p.name) && JSON.stringify(p.spec).includes('/0"'),
    );
    expect(open.map((p) => `${p.namespace}/${p.name}`)).to.deep.equal([]);
  });

  it("lets only core, jobservice and trivy out to the internet, and the ingress only to core and portal", async () => {
    const run = await evaluateStack("prod");
    const ns = "harbor";
    const ingress = String(net().ingressNamespace);
    const out = COMPONENTS.filter((c) => egressFrom(run, ns, pod(c), 443));
    expect(out).to.have.members(["core", "jobservice", "trivy"]);
    const reached = COMPONENTS.filter(
      (c) => admits(policiesOf(run), { namespace: ingress }, { namespace: ns, labels: pod(c) }, 8443).ingress,
    );
    expect(reached).to.have.members(["core", "portal"]);
    const lb = await evaluateStack("prod", { exposure: "loadBalancer", ingressClassName: undefined });
    // From outside the cluster, only nginx answers.
    expect(
      COMPONENTS.filter(
        (c) => admits(policiesOf(lb), INTERNET, { namespace: ns, labels: pod(c) }, 8443).ingress,
      ),
    ).to.deep.equal(["nginx"]);
  });

  it("opens the ports the config's LDAP, registries and external object store use, to the components that dial them", async () => {
    const base = stackConfig("prod");
    const harborConfig = (base.harborConfig ?? {}) as Record<string, unknown>;
    const settings = (harborConfig.settings ?? {}) as Record<string, unknown>;
    const run = await evaluateStack("prod", {
      harborConfig: {
        ...harborConfig,
        settings: {
          ...settings,
          auth: LDAP_AUTH,
        },
        registries: [
          ...((harborConfig.registries ?? []) as unknown[]),
          { name: "upstream", type: "harbor", url: "https://registry.example.com:5000" },
        ],
      },
      ldapPassword: new StackSecret("stand-in"),
      objectStore: { mode: "external", endpoint: "https://s3.example.com:9000", region: "eu-central-1" },
      objectStoreAccessKey: new StackSecret("stand-in"),
      objectStoreSecretKey: new StackSecret("stand-in"),
    });
    expect(egressFrom(run, "harbor", pod("core"), 636), "core to ldaps (636)").to.equal(true);
    expect(egressFrom(run, "harbor", pod("core"), 5000), "core to the registry (proxy cache)").to.equal(true);
    expect(
      egressFrom(run, "harbor", pod("jobservice"), 5000),
      "jobservice to the registry (replication)",
    ).to.equal(true);
    expect(egressFrom(run, "harbor", pod("jobservice"), 636), "jobservice does not log users in").to.equal(
      false,
    );
    expect(egressFrom(run, "harbor", pod("registry"), 9000), "registry to the external S3").to.equal(true);
    const dbPod = { "cnpg.io/cluster": "harbor-pg", "cnpg.io/podRole": "instance" };
    expect(egressFrom(run, "harbor-db", dbPod, 9000), "WAL archiving to the external S3").to.equal(true);
    expect(at(run.outputs, "prod.value.objectStoreUrl")).to.equal("https://s3.example.com:9000");
  });
});
