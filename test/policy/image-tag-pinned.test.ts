import { expect } from "chai";
import { imageTagPinned } from "../../policy/policies/image-tag-pinned";
import { check, release } from "./helpers";

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
});
