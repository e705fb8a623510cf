import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { namespaceResourceQuota } from "../../policy/policies/namespace-resource-quota";
import { check, resource } from "./helpers";

const ns = (name: string) => resource(TYPES.namespace, { metadata: { name } });
const quota = (namespace: string, hard: Record<string, string>) =>
  resource(TYPES.resourceQuota, { metadata: { name: "storage", namespace }, spec: { hard } });

describe("policy namespace-resource-quota", () => {
  it("passes a namespace with a storage quota", async () => {
    expect(
      await check(namespaceResourceQuota, [ns("harbor"), quota("harbor", { "requests.storage": "1Ti" })]),
    ).to.deep.equal([]);
  });
  it("fails a namespace without a quota", async () => {
    expect(
      await check(namespaceResourceQuota, [ns("harbor"), quota("other", { pods: "10" })]),
    ).to.have.length(1);
  });
  it("fails a quota without hard limits", async () => {
    expect(await check(namespaceResourceQuota, [ns("harbor"), quota("harbor", {})])).to.have.length(1);
  });
});
