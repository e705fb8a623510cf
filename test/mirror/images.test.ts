// Every image every Release and every pod of the program can run comes from the mirror when
// `mirror.registry` is set, at the same path and tag as upstream. Each pinned chart's values.yaml
// is walked for every image setting: one the program does not know (a chart bump that adds an
// image) fails here. How each chart composes a reference is read from its templates at the
// pinned tag (versions/chart-images.ts names them); checked once with Helm 3.17.3 `helm template`
// of all eight charts with the mirrored prod and dev values: every `image:` of every rendered
// container, init container and hook, cert-manager's --acme-http01-solver-image and the barman
// plugin's SIDECAR_IMAGE started with the mirror's registry.
import { expect } from "chai";
import { charts, imageRef, images, type ChartKey } from "../../versions";
import { CHART_IMAGE_SETTINGS, PROGRAM_IMAGES, type ChartImageSetting } from "../../versions/chart-images";
import { canonicalRepository } from "../../components/mirror";
import { chartData } from "../conformance/upstream";
import { at, evaluateStack, type StackRun } from "../harness";
import {
  MIRROR,
  MIRROR_REGISTRY,
  MIRRORED_STACKS,
  appVersion,
  isObj,
  programImages,
  releases,
  type ReleaseValues,
} from "./stacks";

type Obj = Record<string, unknown>;

/**
 * Every image setting of a chart's values: a map with a `repository` (or `registry` and `tag`),
 * an `image` string, and the chart-wide `imageRegistry`/`imageNamespace` defaults. Pull
 * policies and pull secrets are not images.
 */
function imageSettings(values: unknown, path = ""): string[] {
  const here = (k: string) => (path ? `${path}.${k}` : k);
  if (Array.isArray(values)) return values.flatMap((v, i) => imageSettings(v, `${path}[${i}]`));
  if (!isObj(values)) return [];
  if ("repository" in values || ("registry" in values && "tag" in values)) return [path];
  return Object.entries(values).flatMap(([k, v]) =>
    typeof v === "string" && /image/i.test(k) && !/pull/i.test(k) ? [here(k)] : imageSettings(v, here(k)),
  );
}

/**
 * Chart-wide defaults an image falls back to only when its own repository is empty
 * (cert-manager v1.21.1 _helpers.tpl "cert-manager.image"): the program sets every repository,
 * which `resolve` below holds it to.
 */
const FALLBACKS: Partial<Record<ChartKey, readonly string[]>> = {
  certManager: ["imageRegistry", "imageNamespace"],
};

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);

/**
 * The reference a chart renders for one image setting from `values` (its defaults merged with
 * the program's), per its templates; the tag falls back to the appVersion where they say so.
 * Undefined when the chart takes the tag from elsewhere (Velero's kubectl: the cluster version).
 */
function resolve(key: ChartKey, s: ChartImageSetting, values: Obj): string | undefined {
  const v = at(values, s.path);
  const tagOr = (tag: unknown) =>
    str(tag) || (APP_VERSION_TAG.has(`${key} ${s.path}`) ? appVersion(key) : "");
  switch (s.shape.kind) {
    case "reference":
      return str(v);
    case "imageAndTag": {
      const parent = s.path.split(".").slice(0, -1);
      return `${str(v)}:${str(at(values, [...parent, s.shape.tagKey].join(".")))}`;
    }
    case "registryRepositoryTag": {
      const o = v as Obj;
      return `${str(o.registry)}/${str(o.repository)}:${tagOr(o.tag)}`;
    }
    case "repositoryTag": {
      const o = v as Obj;
      expect(str(o.digest), `${key} ${s.path}: a digest would replace the pinned tag`).to.equal("");
      let repository = str(o.repository);
      if (key === "certManager" && repository === "")
        repository = [values.imageRegistry, values.imageNamespace, o.name].map(str).filter(Boolean).join("/");
      if (key === "certManager" && str(o.registry)) repository = `${str(o.registry)}/${repository}`;
      const tag = tagOr(o.tag);
      return tag === "" ? undefined : `${repository}:${tag}`;
    }
  }
}

/**
 * Settings whose tag defaults to the chart's appVersion: cloudnative-pg 0.29.0
 * templates/deployment.yaml, plugin-barman-cloud 0.7.0 deployment.yaml and configmap.yaml,
 * fluent-bit 0.58.1 _pod.tpl (the main image only), cert-manager v1.21.1 (every image).
 */
const APP_VERSION_TAG = new Set([
  "cloudnativePg image",
  "barmanCloudPlugin image",
  "barmanCloudPlugin sidecarImage",
  "fluentBit image",
  ...CHART_IMAGE_SETTINGS.certManager.map((s) => `certManager ${s.path}`),
]);

/** `ref` as the runtime resolves it (`koalaman/shellcheck:v1` is docker.io/koalaman/shellcheck:v1). */
function canonical(ref: string): string {
  const colon = ref.lastIndexOf(":");
  return `${canonicalRepository(ref.slice(0, colon))}${ref.slice(colon)}`;
}

/** The upstream reference `ref` pulled from the mirror: registry, upstream host, path, same tag. */
const onMirror = (ref: string): string => `${MIRROR_REGISTRY}/${canonical(ref)}`;

const chartKeys = Object.keys(charts) as ChartKey[];

describe("mirror: image references, upstream truth", () => {
  it("reads references as the container runtime does (distribution/reference splitDockerDomain)", () => {
    expect(canonicalRepository("busybox")).to.equal("docker.io/library/busybox");
    expect(canonicalRepository("koalaman/shellcheck")).to.equal("docker.io/koalaman/shellcheck");
    expect(canonicalRepository("docker.io/busybox")).to.equal("docker.io/library/busybox");
    expect(canonicalRepository("index.docker.io/rclone/rclone")).to.equal("docker.io/rclone/rclone");
    expect(canonicalRepository("quay.io/minio/mc")).to.equal("quay.io/minio/mc");
    expect(canonicalRepository("localhost/x")).to.equal("localhost/x");
    expect(canonicalRepository("registry:5000/x")).to.equal("registry:5000/x");
    expect(canonicalRepository("public.ecr.aws/docker/library/redis")).to.equal(
      "public.ecr.aws/docker/library/redis",
    );
  });

  for (const key of chartKeys)
    it(`${charts[key].chart}: every image setting of its values.yaml is known, at the pin the chart ships`, () => {
      const defaults = chartData(charts[key].upstream).values;
      const known = new Set([...CHART_IMAGE_SETTINGS[key].map((s) => s.path), ...(FALLBACKS[key] ?? [])]);
      const unknown = imageSettings(defaults).filter((p) => !known.has(p));
      expect(unknown, "image settings versions/chart-images.ts does not list").to.deep.equal([]);
      for (const s of CHART_IMAGE_SETTINGS[key]) {
        // Settings the program adds (the operator's ConfigMap) are not in the chart's defaults.
        if (s.shape.kind !== "reference")
          expect(at(defaults, s.path), `${s.path} in ${charts[key].upstream}/values.yaml`).to.not.equal(
            undefined,
          );
        if (!s.pin || s.shape.kind === "reference") continue;
        const shipped = resolve(key, s, defaults);
        if (shipped === undefined) {
          // Velero's kubectl: the tag follows the cluster unless set (test/image-pins.test.ts pins it).
          expect(canonicalRepository(str(at(defaults, `${s.path}.repository`)))).to.equal(s.pin.repository);
          continue;
        }
        expect(canonical(shipped), s.path).to.equal(imageRef(s.pin));
      }
    });

  it("pins the PostgreSQL operand at CloudNativePG 1.30.0's default (pkg/versions DefaultImageName)", () => {
    // cloudnative-pg/cloudnative-pg v1.30.0 pkg/versions/versions.go; the chart's appVersion.
    expect(appVersion("cloudnativePg")).to.equal("1.30.0");
    expect(imageRef(images.postgresql)).to.equal("ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie");
  });
});

/** Every setting of every Release resolved from its merged values, with the reference it must be. */
function releaseImages(r: ReleaseValues, mirrored: boolean): { what: string; got?: string; want?: string }[] {
  const defaults = chartData(charts[r.key].upstream).values;
  return CHART_IMAGE_SETTINGS[r.key].flatMap((s) => {
    const what = `${r.name} ${s.path}`;
    if (!s.pin) return [];
    const upstream = s.shape.kind === "reference" ? imageRef(s.pin) : resolve(r.key, s, defaults);
    const want = canonical(upstream ?? imageRef(s.pin));
    const got = resolve(r.key, s, r.merged);
    return [{ what, got: got && (mirrored ? got : canonical(got)), want: mirrored ? onMirror(want) : want }];
  });
}

describe("mirror: every image of every Release and pod comes from the mirror, still pinned", () => {
  for (const [what, stack, overrides] of MIRRORED_STACKS) {
    describe(what, () => {
      let run: StackRun;
      before(async () => {
        run = await evaluateStack(stack, overrides());
      });

      it("sets every image setting of every chart to the mirror, same path and tag", () => {
        const rs = releases(run);
        expect(rs.length).to.be.greaterThan(0);
        for (const r of rs) for (const i of releaseImages(r, true)) expect(i.got, i.what).to.equal(i.want);
      });

      it("keeps the components whose image it leaves upstream switched off", () => {
        for (const r of releases(run))
          for (const s of CHART_IMAGE_SETTINGS[r.key].filter((x) => x.off))
            expect(at(r.merged, s.off ?? ""), `${r.name} ${s.off}`).to.equal(false);
      });

      it("pulls every image it defines itself from the mirror (Jobs, CronJobs, Clusters, added containers)", () => {
        const found = programImages(run);
        // dev defines no pod of its own; prod runs the DR jobs, the drills and the operand.
        expect(found.length > 0).to.equal(stack === "prod");
        const pinned = new Set(PROGRAM_IMAGES.map((p) => onMirror(imageRef(p.pin))));
        for (const { where, image } of found) expect(pinned.has(image), `${where}: ${image}`).to.equal(true);
      });

      it("fetches every chart from the mirror's repository at its pinned version", () => {
        for (const r of releases(run)) {
          expect(r.inputs.chart, r.name).to.equal(`${MIRROR.charts.url}/${charts[r.key].chart}`);
          expect(r.inputs.version, r.name).to.equal(charts[r.key].version);
          expect(r.inputs.repositoryOpts, r.name).to.equal(undefined);
        }
      });
    });
  }

  it("the mirrored prod stack runs the drill's and the database's PostgreSQL as one pin", async () => {
    const run = await evaluateStack("prod", { mirror: MIRROR });
    const found = programImages(run).filter((i) => i.where.endsWith("imageName"));
    expect(found.map((i) => i.image)).to.have.length(2);
    expect(new Set(found.map((i) => i.image))).to.deep.equal(
      new Set([onMirror(imageRef(images.postgresql))]),
    );
  });

  it("without a mirror, the same settings give exactly the charts' own references (the check can fail)", async () => {
    const run = await evaluateStack("prod");
    for (const r of releases(run)) {
      for (const i of releaseImages(r, false)) expect(i.got, i.what).to.equal(i.want);
      // And the mirrored expectation fails on it.
      const first = releaseImages(r, true)[0];
      if (first) expect(first.got).to.not.equal(first.want);
    }
    const own = programImages(run).map((i) => i.image);
    expect(own.filter((i) => i.startsWith(`${MIRROR_REGISTRY}/`))).to.deep.equal([]);
    expect(own).to.include(imageRef(images.rclone));
  });
});
