// Prod always runs Harbor's internal TLS, so whatever routes client traffic to core and portal
// must speak HTTPS to them and verify them against the project CA.
// - Gateway API: harbor-helm 1.19.2 templates/gateway-apis/route.yaml sends the HTTPRoute's rules
//   to the Services harbor-core and harbor-portal; a Gateway verifies a backend only through a
//   BackendTLSPolicy (gateway.networking.k8s.io/v1: targetRefs the Service, validation.hostname
//   and caCertificateRefs to a ConfigMap with ca.crt).
// - ingress-nginx (controller-v1.15.1 internal/ingress/annotations/proxyssl, store/backend_ssl.go):
//   proxy-ssl-secret "<namespace>/<name>" in the Ingress's namespace, a Secret with only ca.crt is
//   accepted; proxy-ssl-verify on; one proxy-ssl-name for the Ingress. The chart's
//   templates/ingress/ingress.yaml adds backend-protocol HTTPS itself when internalTLS is on.
// - Any other ingress controller: refused in prod, in one line.
import { expect } from "chai";
import { charts } from "../../versions";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const POLICY = "kubernetes:gateway.networking.k8s.io/v1:BackendTLSPolicy";
/** The Services route.yaml and ingress.yaml send traffic to (release `harbor`: `harbor.core`, `harbor.portal`). */
const BACKENDS = ["core", "portal"];

function harbor(run: StackRun): { namespace: string; values: Record<string, unknown> } {
  const r = run.byType(RELEASE).find((x) => x.inputs.chart === charts.harbor.chart);
  if (!r) throw new Error("no Harbor release");
  return { namespace: String(r.inputs.namespace), values: r.inputs.values as Record<string, unknown> };
}

/** DNS names of the certificate cert-manager writes into `secretName` in `namespace`. */
function sans(run: StackRun, namespace: string, secretName: unknown): string[] {
  const cert = run
    .byType(CERTIFICATE)
    .find(
      (c) =>
        at(c.inputs, "metadata.namespace") === namespace && at(c.inputs, "spec.secretName") === secretName,
    );
  return (at(cert?.inputs, "spec.dnsNames") ?? []) as string[];
}

function caCrtOf(run: StackRun, type: string, namespace: string, name: string, field: string): unknown {
  const found = run
    .byType(type)
    .find((x) => at(x.inputs, "metadata.name") === name && at(x.inputs, "metadata.namespace") === namespace);
  return ((found?.inputs[field] ?? {}) as Record<string, unknown>)["ca.crt"];
}

describe("prod: Harbor's internal-TLS backends verified by what routes to them", () => {
  it("Gateway API: a BackendTLSPolicy per routed Service, with a name its certificate carries and the project CA", async () => {
    const run = await evaluateStack("prod", {
      exposure: "gateway",
      ingressClassName: undefined,
      gatewayParentRefs: [{ name: "public", namespace: "gateway" }],
    });
    const { namespace, values } = harbor(run);
    expect(at(values, "internalTLS.enabled")).to.equal(true);
    const policies = run.byType(POLICY).filter((p) => at(p.inputs, "metadata.namespace") === namespace);
    for (const c of BACKENDS) {
      const policy = policies.find((p) =>
        ((at(p.inputs, "spec.targetRefs") ?? []) as { group: string; kind: string; name: string }[]).some(
          (t) => t.group === "" && t.kind === "Service" && t.name === `harbor-${c}`,
        ),
      );
      expect(policy, `a BackendTLSPolicy for harbor-${c}`).to.not.equal(undefined);
      expect(sans(run, namespace, at(values, `internalTLS.${c}.secretName`))).to.include(
        at(policy?.inputs, "spec.validation.hostname"),
      );
      const refs = at(policy?.inputs, "spec.validation.caCertificateRefs") as {
        kind: string;
        name: string;
      }[];
      expect(refs.map((r) => r.kind)).to.deep.equal(["ConfigMap"]);
      expect(caCrtOf(run, "kubernetes:core/v1:ConfigMap", namespace, refs[0].name, "data")).to.equal(
        run.outputs.caCert.value,
      );
    }
  });

  it("ingress-nginx: verifies both backends against the project CA by one name their certificates share", async () => {
    const run = await evaluateStack("prod", { ingressClassName: "nginx" });
    const { namespace, values } = harbor(run);
    expect(at(values, "internalTLS.enabled"), "the chart then sets backend-protocol HTTPS").to.equal(true);
    const annotations = (at(values, "expose.ingress.annotations") ?? {}) as Record<string, string>;
    expect(annotations["nginx.ingress.kubernetes.io/proxy-ssl-verify"]).to.equal("on");
    const [secretNs, secretName] = String(annotations["nginx.ingress.kubernetes.io/proxy-ssl-secret"]).split(
      "/",
    );
    expect(secretNs, "ingress-nginx refuses a Secret from another namespace").to.equal(namespace);
    expect(caCrtOf(run, "kubernetes:core/v1:Secret", namespace, secretName, "stringData")).to.equal(
      run.outputs.caCert.value,
    );
    const name = annotations["nginx.ingress.kubernetes.io/proxy-ssl-name"];
    for (const c of BACKENDS)
      expect(sans(run, namespace, at(values, `internalTLS.${c}.secretName`)), c).to.include(name);
  });

  it("refuses another ingress controller in one line", async () => {
    let message = "";
    try {
      await evaluateStack("prod", { ingressClassName: "haproxy" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n").find((l) => l.includes("ingressClassName"))).to.match(
      /^harbor-platform:ingressClassName = "haproxy": traefik or nginx in prod .*; otherwise exposure gateway or loadBalancer$/,
    );
  });
});
