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
import { UPGRADE_IMAGES } from "../../components/harbor/upgrade";
import { chartData } from "../conformance/upstream";
import { at, evaluateStack, type StackRun } from "../harness";
import { imageSettings } from "./image-settings";
import {
  MIRROR,
  MIRROR_REGISTRY,
  MIRRORED_STACKS,
  appVersion,
  programImages,
  releases,
  type ReleaseValues,
} from "./stacks";

type Obj = Record<string, unknown>;

/**
 * Chart-wide defaults an image falls back to only when its own repository is empty
 * (cert-manager v1.21.1 _helpers.tpl "cert-manager.image"): the program sets every repository,
 * which `resolve` below holds it to.
 */
const FALLBACKS: Partial<Record<ChartKey, readonly string[]>> = {
  certManager: ["imageRegistry", "imageNamespace"],
};

/**
 * What the walker finds that no pod runs as an image (`[]` stands for any list index), each
 * read in the chart's values.yaml at its pin. Kept to exact paths, so an image the chart adds
 * beside one is still found.
 */
const NOT_IMAGES: Partial<Record<ChartKey, Readonly<Record<string, string>>>> = {
  harbor: {
    "persistence.imageChartStorage": "the registry's blob storage backend (filesystem, s3, ...)",
    "trace.otel.endpoint": "the OpenTelemetry collector's host:port",
    "redis.external.addr": "an external Redis's host:port",
    // OCI artifacts the Trivy adapter downloads at scan time, set per Trivy mode
    // (test/restricted/trivy.test.ts, test/restricted/mirror-and-proxy.test.ts).
    "trivy.dbRepository[]": "the vulnerability database's OCI repositories",
    "trivy.javaDBRepository[]": "the Java database's OCI repositories",
  },
  certManager: {
    "webhook.validatingWebhookConfiguration.namespaceSelector.matchExpressions[].key":
      "a namespace label key (cert-manager.io/disable-validation)",
  },
  redisHa: { "networkPolicy.egressRules[].selectors[].ipBlock.cidr": "a CIDR (169.254.0.0/16)" },
};

const anyIndex = (path: string): string => path.replace(/\[\d+\]/g, "[]");

/** The image settings of `values` (chart `key`'s, maybe altered) that versions/chart-images.ts does not list. */
function unknownImageSettings(key: ChartKey, values: unknown): string[] {
  const known = new Set([...CHART_IMAGE_SETTINGS[key].map((s) => s.path), ...(FALLBACKS[key] ?? [])]);
  const notImages = NOT_IMAGES[key] ?? {};
  return imageSettings(values).filter((p) => !known.has(p) && !(anyIndex(p) in notImages));
}

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
      expect(
        unknownImageSettings(key, defaults),
        "image settings versions/chart-images.ts does not list",
      ).to.deep.equal([]);
      // Each exception is still there: one the chart dropped would hide nothing but rot.
      const found = new Set(imageSettings(defaults).map(anyIndex));
      for (const p of Object.keys(NOT_IMAGES[key] ?? {}))
        expect(found.has(p), `${p} still in the chart`).to.equal(true);
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

  it("fails on an image a chart bump would add in a shape the listed ones do not have", () => {
    // Injected into copies of the pinned values: an image map of {name, tag} under a sidecar,
    // and a bare reference under a key that does not say "image".
    const fluentBit = structuredClone(chartData(charts.fluentBit.upstream).values);
    fluentBit.reviewSidecar = { image: { name: "x", tag: "y" } };
    expect(unknownImageSettings("fluentBit", fluentBit)).to.deep.equal(["reviewSidecar.image"]);
    const velero = structuredClone(chartData(charts.velero.upstream).values);
    velero.reviewHelper = { container: "busybox:1.36" };
    expect(unknownImageSettings("velero", velero)).to.deep.equal(["reviewHelper.container"]);
    // And next to an exception, an image is still found.
    const harbor = structuredClone(chartData(charts.harbor.upstream).values);
    (harbor.trivy as Record<string, unknown>).sidecar = "ghcr.io/x/y:1";
    expect(unknownImageSettings("harbor", harbor)).to.deep.equal(["trivy.sidecar"]);
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
        // Both run the smoke-test Job after a new chart version, dev the pre-upgrade dump too;
        // prod the DR jobs, the drills and the operand.
        const jobImage = (job: string) =>
          found.find((i) => i.where.startsWith(`kubernetes:batch/v1:Job ${job} `))?.image;
        expect(jobImage("harbor-platform-smoke-test"), "smoke-test Job").to.equal(
          onMirror(imageRef(UPGRADE_IMAGES.smokeTest)),
        );
        expect(jobImage("harbor-platform-pre-upgrade-dump"), "dump Job").to.equal(
          stack === "dev" ? onMirror(imageRef(UPGRADE_IMAGES.dump)) : undefined,
        );
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
