import { expect } from "chai";
import { imageTagPinned } from "../../policy/policies/image-tag-pinned";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { check, release, runFull } from "./helpers";

describe("policy image-tag-pinned", () => {
  it("passes pinned tags and chart defaults", async () => {
    const values = {
      image: { repository: "docker.io/minio/minio", tag: "RELEASE.2025-09-07T16-13-09Z" },
      mcImage: { repository: "docker.io/minio/mc", tag: "RELEASE.2025-08-13T08-35-41Z" },
      initContainers: [{ name: "x", image: "docker.io/velero/velero-plugin-for-aws:v1.14.0" }],
      core: { replicas: 1 },
    };
    expect(await check(imageTagPinned, [release("minio", values)])).to.deep.equal([]);
  });
  it("fails image.tag latest", async () => {
    expect(
      await check(imageTagPinned, [
        release("minio", { image: { repository: "minio/minio", tag: "latest" } }),
      ]),
    ).to.have.length(1);
  });
  it("fails a nested component tag latest", async () => {
    expect(
      (await check(imageTagPinned, [release("harbor", { core: { image: { tag: "latest" } } })]))[0],
    ).to.match(/core\.image\.tag/);
  });
  it("fails an empty tag next to a repository override", async () => {
    expect(
      await check(imageTagPinned, [release("redis-ha", { image: { repository: "redis", tag: "" } })]),
    ).to.have.length(1);
  });
  it("fails a full image reference ending in :latest", async () => {
    const values = { initContainers: [{ name: "aws", image: "velero/velero-plugin-for-aws:latest" }] };
    expect(await check(imageTagPinned, [release("velero", values)])).to.have.length(1);
  });
  describe("in a first preview (values partly unknown)", () => {
    const unknownPassword = { database: { type: "internal", internal: { password: unknownValue } } };
    it("skips Harbor's generated database password, unknown until created, and still judges the rest", async () => {
      expect(await runFull(imageTagPinned, [release("harbor", unknownPassword)])).to.deep.equal([]);
      const latest = { ...unknownPassword, core: { image: { tag: "latest" } } };
      expect(await check(imageTagPinned, [release("harbor", latest)])).to.have.length(1);
    });
    it("cannot judge an unknown tag or an unknown block: it does not run (blind) rather than pass", async () => {
      for (const values of [{ core: { image: { tag: unknownValue } } }, { core: unknownValue }]) {
        const found = await runFull(imageTagPinned, [release("harbor", values)]);
        expect(found.map((v) => v.blind)).to.deep.equal([true]);
      }
    });
  });
});
