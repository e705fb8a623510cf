// Every image the program pins (versions/index.ts) is the one the upstream release it comes from
// ships: the pinned chart's values.yaml (or its Chart.yaml appVersion), read from the verbatim
// pinned upstream copies (found by test/upstream.ts). A bumped tag that the chart does not ship,
// or a chart bump that leaves the image behind, fails here.
// Not covered (no upstream release data pinned here): rclone (no chart ships it) and
// velero-plugin-for-aws (velero 12.1.0's values.yaml shows only an older example, v1.13.1).
import * as fs from "fs";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { charts, images, type ImagePin } from "../versions";
import { chartData } from "./conformance/upstream";
import { at } from "./harness";
import { upstreamFile } from "./upstream";

const values = (folder: string) => chartData(folder).values;
/** An `image:` mapping of a chart's values as a pin (pullPolicy and the like aside). */
const imageAt = (folder: string, path: string): ImagePin => {
  const { repository, tag } = at(values(folder), path) as ImagePin;
  return { repository, tag };
};
const appVersion = (folder: string) =>
  String(
    (parseYaml(fs.readFileSync(upstreamFile(folder, "Chart.yaml"), "utf8")) as { appVersion: unknown })
      .appVersion,
  );

/** What the upstream ships: [pin, repository, tag, where]. */
const SHIPPED: [string, ImagePin, () => ImagePin][] = [
  [
    // harbor-helm 1.19.2 values.yaml core.image; every component shares the registry and tag,
    // which is Chart.yaml's appVersion with a v.
    "harbor",
    images.harbor,
    () => {
      const repo = String(at(values(charts.harbor.upstream), "core.image.repository"));
      const tag = String(at(values(charts.harbor.upstream), "core.image.tag"));
      expect(tag).to.equal(`v${appVersion(charts.harbor.upstream)}`);
      return { repository: repo.slice(0, repo.lastIndexOf("/")), tag };
    },
  ],
  ["minio", images.minio, () => imageAt(charts.minio.upstream, "image")],
  ["minio mc", images.minioMc, () => imageAt(charts.minio.upstream, "mcImage")],
  [
    // redis-ha 4.39.0 values.yaml image (appVersion 8.8.0).
    "redis",
    images.redis,
    () => {
      const pin = imageAt(charts.redisHa.upstream, "image");
      expect(pin.tag.split("-")[0]).to.equal(appVersion(charts.redisHa.upstream));
      return pin;
    },
  ],
  [
    "redis exporter",
    images.redisExporter,
    () => ({
      repository: String(at(values(charts.redisHa.upstream), "exporter.image")),
      tag: String(at(values(charts.redisHa.upstream), "exporter.tag")),
    }),
  ],
  [
    // velero 12.1.0 values.yaml kubectl.image: the repository, and the tag its comment gives.
    "kubectl",
    images.kubectl,
    () => {
      const text = fs.readFileSync(upstreamFile(charts.velero.upstream, "values.yaml"), "utf8");
      const tag = /^kubectl:[\s\S]*?^\s+# tag: (\S+)$/m.exec(text)?.[1];
      return {
        repository: String(at(values(charts.velero.upstream), "kubectl.image.repository")),
        tag: String(tag),
      };
    },
  ],
];

describe("pinned images against the upstream releases they come from", () => {
  for (const [what, pin, shipped] of SHIPPED)
    it(what, () => {
      expect({ repository: pin.repository, tag: pin.tag }).to.deep.equal(shipped());
    });

  it("harbor prepare (the smoke test's image): the pinned release's registry and tag", () => {
    // No chart sets it; Harbor publishes every image of a release under `v<release>`.
    expect(images.harborPrepare).to.deep.equal({
      repository: `${images.harbor.repository}/prepare`,
      tag: images.harbor.tag,
    });
  });
});
