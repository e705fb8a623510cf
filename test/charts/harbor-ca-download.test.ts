// The portal's "Registry Certificate" download serves the CA that signed Harbor's certificate.
// harbor-helm 1.19.2 templates/core/core-dpl.yaml mounts volume `ca-download` at /etc/core/ca
// from `caSecretName`, else only from a chart-generated certificate (certSource auto); with
// certSource secret and no caSecretName the volume renders `secret:` with no name, which the API
// server defaults to an emptyDir, and the download is empty. values.yaml: the Secret holds key
// `ca.crt`.
import { expect } from "chai";
import { charts } from "../../versions";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";

function harborValues(run: StackRun): Record<string, unknown> {
  const r = run.byType(RELEASE).find((x) => x.inputs.chart === charts.harbor.chart);
  if (!r) throw new Error("no Harbor release");
  return r.inputs.values as Record<string, unknown>;
}

/** `ca.crt` of the Secret `name` the stack registers in `namespace`. */
function caCrt(run: StackRun, namespace: string, name: string): unknown {
  const s = run
    .byType(SECRET)
    .find((x) => at(x.inputs, "metadata.name") === name && at(x.inputs, "metadata.namespace") === namespace);
  return s ? ((s.inputs.stringData ?? {}) as Record<string, unknown>)["ca.crt"] : undefined;
}

describe("Harbor's registry certificate download", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: serves the project CA that signs Harbor's certificate`, async () => {
      const run = await evaluateStack(stack);
      const values = harborValues(run);
      expect(at(values, "expose.tls.certSource")).to.equal("secret");
      const name = at(values, "caSecretName");
      expect(name, "caSecretName").to.be.a("string").and.not.equal("");
      const namespace = String(
        run.byType(RELEASE).find((x) => x.inputs.chart === "harbor")?.inputs.namespace,
      );
      expect(run.outputs.caCert.value, "stack output caCert").to.be.a("string").and.not.equal("");
      expect(caCrt(run, namespace, String(name)), "ca.crt of that Secret").to.equal(run.outputs.caCert.value);
    });
  }
});
