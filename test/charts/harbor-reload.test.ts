// Harbor picks up renewed certificates: it reads them only at start (harbor-helm #1232; the CA
// bundle is a subPath mount), so each workload carries Reloader's explicit-Secrets annotation
// (`secret.reloader.stakater.com/reload`, read from the pod template when the workload has none:
// stakater/Reloader pkg/common/common.go ShouldReload) naming exactly the cert-manager Secrets it
// mounts: a renewal restarts those workloads and no other, and a chart upgrade changes nothing.
// Which Secret each workload mounts, from harbor-helm 1.19.2's templates (rendered with Helm
// 3.17.3 on the prod values): the value path of each Secret volume.
import { expect } from "chai";
import { RELOADER_SECRET_ANNOTATION } from "../../components/k8s";
import { charts } from "../../versions";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";

const MOUNTS: Readonly<Record<string, readonly string[]>> = {
  // core/core-dpl.yaml: internal TLS, token key, CA download, CA bundle (subPath).
  core: ["internalTLS.core.secretName", "core.secretName", "caSecretName", "caBundleSecretName"],
  // exporter/exporter-dpl.yaml: core's internal certificate, CA bundle.
  exporter: ["internalTLS.core.secretName", "caBundleSecretName"],
  jobservice: ["internalTLS.jobservice.secretName", "caBundleSecretName"],
  // registry/registry-dpl.yaml: registry and registryctl share the registry's certificate.
  registry: ["internalTLS.registry.secretName", "caBundleSecretName"],
  portal: ["internalTLS.portal.secretName"],
  trivy: ["internalTLS.trivy.secretName", "caBundleSecretName"],
  // nginx/deployment.yaml (expose.type loadBalancer/nodePort/clusterIP): the server certificate.
  nginx: ["expose.tls.secret.secretName"],
};

function check(run: StackRun): number {
  const release = run.byType(RELEASE).find((r) => r.inputs.chart === charts.harbor.chart);
  if (!release) throw new Error("no Harbor release");
  const ns = release.inputs.namespace;
  const v = coalesce(
    chartData(charts.harbor.upstream).values,
    release.inputs.values as Record<string, unknown>,
  );
  const renewed = new Set(
    run
      .byType(CERTIFICATE)
      .filter((c) => at(c.inputs, "metadata.namespace") === ns)
      .map((c) => String(at(c.inputs, "spec.secretName"))),
  );
  expect(renewed.size, "cert-manager Certificates in Harbor's namespace").to.be.greaterThan(0);
  const nginx = at(v, "expose.type") !== "ingress" && at(v, "expose.type") !== "route";
  let annotated = 0;
  for (const [component, paths] of Object.entries(MOUNTS)) {
    if (component === "nginx" && !nginx) continue;
    const mounted = paths.map((p) => at(v, p)).filter((s): s is string => typeof s === "string" && s !== "");
    const expected = mounted.filter((s) => renewed.has(s)).sort();
    const annotation = (at(v, `${component}.podAnnotations`) ?? {}) as Record<string, string>;
    const listed = annotation[RELOADER_SECRET_ANNOTATION]?.split(",").sort() ?? [];
    expect(listed, `${component}: Secrets Reloader watches`).to.deep.equal(expected);
    if (expected.length > 0) annotated++;
  }
  return annotated;
}

describe("Harbor restarts a workload when cert-manager renews a certificate it mounts", () => {
  it("prod behind an ingress", async () => {
    expect(check(await evaluateStack("prod"))).to.equal(6);
  });
  it("prod behind a LoadBalancer (nginx serves the public certificate)", async () => {
    expect(
      check(await evaluateStack("prod", { exposure: "loadBalancer", ingressClassName: undefined })),
    ).to.equal(7);
  });
});
