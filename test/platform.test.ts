import { expect } from "chai";
import { at, evaluateStack } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("dev stack", () => {
  it("installs Harbor 1.19.2 from helm.goharbor.io into its namespace with TLS on", async () => {
    const run = await evaluateStack("dev");
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
});
