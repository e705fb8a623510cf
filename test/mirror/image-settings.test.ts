// The walker that finds every image setting of a chart's values, on synthetic values
// (test/mirror/images.test.ts holds the pinned charts to it, test/concepts/image-reference.test.ts
// the reference grammar it reads strings with).
import { expect } from "chai";
import { imageSettings, isPullableReference } from "./image-settings";

const SHA256 = `sha256:${"f".repeat(64)}`;

describe("imageSettings: every image setting of a chart's values", () => {
  it("counts a reference as pullable when it names a registry, a tag or a digest", () => {
    for (const s of ["busybox:1.36", "quay.io/x", `x@${SHA256}`, "hostname:4318", "10.0.0.0/8"])
      expect(isPullableReference(s), s).to.equal(true);
    for (const s of ["busybox", "IfNotPresent", "http://x.example", "", "a b", "{{ .Values.x }}", "5m"])
      expect(isPullableReference(s), s).to.equal(false);
  });

  it("finds a map under an image key whatever its fields", () => {
    const values = {
      image: { repository: "r", tag: "1" },
      reviewSidecar: { image: { name: "x", tag: "y" } },
      digestOnly: { image: { digest: SHA256 } },
      odd: { sidecarImage: { ref: "anything" } },
    };
    expect(imageSettings(values)).to.deep.equal([
      "image",
      "reviewSidecar.image",
      "digestOnly.image",
      "odd.sidecarImage",
    ]);
  });

  it("finds a string reference under a key without 'image' in its name, in maps and lists", () => {
    const values = {
      reviewHelper: { container: "busybox:1.36" },
      extra: [{ ref: "quay.io/minio/mc" }, "ghcr.io/x/y:1"],
      digested: `docker.io/library/alpine@${SHA256}`,
    };
    expect(imageSettings(values)).to.deep.equal([
      "reviewHelper.container",
      "extra[0].ref",
      "extra[1]",
      "digested",
    ]);
  });

  it("finds image maps under any key, image-keyed strings even when empty, and image lists", () => {
    const values = {
      kubectl: { repository: "bitnami/kubectl", tag: "1" },
      helper: { name: "busybox", tag: "1.36" },
      helper2: { registry: "docker.io", name: "busybox", digest: SHA256 },
      imageRegistry: "",
      imageTag: null,
      images: ["busybox", { repository: "x" }],
    };
    expect(imageSettings(values)).to.deep.equal([
      "kubectl",
      "helper",
      "helper2",
      "imageRegistry",
      "imageTag",
      "images[0]",
      "images[1]",
    ]);
  });

  it("passes over pull policies, pull secrets and values that are not references", () => {
    const values = {
      image: { repository: "r", tag: "1", pullPolicy: "IfNotPresent" },
      imagePullPolicy: "Always",
      imagePullSecrets: [{ name: "regcred" }],
      global: { imagePullSecrets: ["regcred"] },
      env: [{ name: "A", value: "b" }],
      service: { type: "ClusterIP", port: 80 },
      url: "https://example.com/x:1",
      name: "busybox",
      labels: { tier: "cache" },
    };
    expect(imageSettings(values)).to.deep.equal(["image"]);
  });
});
