import { expect } from "chai";
import { at, evaluateStack, type StackRun } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("dev stack", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("dev");
  });

  it("installs Harbor 1.19.2 from helm.goharbor.io into its namespace with TLS on", () => {
    const harbor = run.one(RELEASE, "harbor");
    expect(harbor.inputs).to.include({
      chart: "harbor",
      version: "1.19.2",
      namespace: "harbor",
      name: "harbor",
    });
    expect(at(harbor.inputs, "repositoryOpts.repo")).to.equal("https://helm.goharbor.io");
    expect(at(harbor.inputs, "values.externalURL")).to.equal("https://harbor.dev.example.com");
    expect(at(harbor.inputs, "values.expose.tls.certSource")).to.equal("secret");
  });

  it("keeps the chart-internal database and Redis, images on NAS, and no prod tier", () => {
    const values = run.one(RELEASE, "harbor").inputs.values;
    expect(at(values, "database.type")).to.equal("internal");
    expect(at(values, "redis")).to.equal(undefined);
    expect(at(values, "persistence.persistentVolumeClaim.registry.storageClass")).to.equal("nfs-client");
    expect(run.byType(RELEASE)).to.have.length(1);
  });

  it("denies traffic by default in Harbor's namespace and admits the ingress controller", () => {
    const policies = run.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policies.map((p) => at(p.inputs, "metadata.name"))).to.include.members([
      "default-deny",
      "allow-dns",
      "allow-from-ingress",
    ]);
    const fromIngress = policies.find((p) => at(p.inputs, "metadata.name") === "allow-from-ingress");
    expect(at(fromIngress?.inputs, "spec.ingress")).to.deep.equal([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }],
        ports: [
          { protocol: "TCP", port: 8080 },
          { protocol: "TCP", port: 8443 },
        ],
      },
    ]);
  });
});
