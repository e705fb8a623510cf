// The project CA's private key exists in one Secret, in cert-manager's namespace, where the
// ClusterIssuer reads it (cert-manager: a ClusterIssuer's CA Secret lives in its "cluster
// resource namespace", the controller's own by default); docs/prod-topology.md explains why
// issuance stays cluster-wide rather than copying this key into per-namespace Issuers.
import { expect } from "chai";
import { mockOutputs } from "../harness/mock-outputs";
import { at, evaluateStack } from "../harness";

describe("the project CA's private key", () => {
  it("is in exactly one cluster object: a Secret in cert-manager's namespace, read by the CA ClusterIssuer", async () => {
    const run = await evaluateStack("prod");
    const key = run.resources.find(
      (r) => r.type === "tls:index/privateKey:PrivateKey" && r.name === "harbor-platform-ca-key",
    );
    expect(key, "the root CA's key").to.not.equal(undefined);
    const pem = String(
      mockOutputs({ type: key!.type, name: key!.name, inputs: key!.inputs } as never).privateKeyPem,
    );
    const holders = run.resources.filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        JSON.stringify(r.inputs).includes(JSON.stringify(pem).slice(1, -1)),
    );
    expect(holders.map((r) => `${r.type} ${String(at(r.inputs, "metadata.namespace"))}`)).to.deep.equal([
      "kubernetes:core/v1:Secret cert-manager",
    ]);
    const issuer = run
      .byType("kubernetes:cert-manager.io/v1:ClusterIssuer")
      .find((i) => at(i.inputs, "spec.ca.secretName") === at(holders[0].inputs, "metadata.name"));
    expect(issuer, "the ClusterIssuer that reads it").to.not.equal(undefined);
  });
});
