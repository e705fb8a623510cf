// Where the charts and images come from: their public upstreams, or with `mirror` set the site's
// registry and chart repository. A mirrored image keeps its upstream path and tag under the
// mirror's registry (`<registry>/<upstream host>/<path>:<tag>`), so what runs is still pinned.
// Pure: the components take a `Sources` and ask it for every chart and image they use.
import type * as pulumi from "@pulumi/pulumi";
import type { MirrorSettings } from "../../config/mirror";
import { isRegistryHost } from "../../policy/concepts/image-reference";
import { charts, imageRef, type ChartKey, type ImagePin } from "../../versions";
import { CHART_IMAGE_SETTINGS, type ChartImageSetting } from "../../versions/chart-images";

const DOCKER_HUB = "docker.io";

/**
 * A repository as the container runtime resolves it: the registry host first, Docker Hub's
 * official images under `library/` (distribution/reference v0.6.0 normalize.go
 * splitDockerDomain; `index.docker.io` is docker.io).
 */
export function canonicalRepository(repository: string): string {
  const slash = repository.indexOf("/");
  const first = slash < 0 ? "" : repository.slice(0, slash);
  const isHost = slash >= 0 && isRegistryHost(first);
  const host = isHost ? (first === "index.docker.io" ? DOCKER_HUB : first) : DOCKER_HUB;
  const rest = isHost ? repository.slice(slash + 1) : repository;
  return `${host}/${host === DOCKER_HUB && !rest.includes("/") ? `library/${rest}` : rest}`;
}

/** The images pods run: each pin's repository, on the mirror when there is one; the tag never changes. */
export interface ImageSource {
  /** The mirror's `host[:port][/prefix]`, when images come from one. */
  readonly registry?: string;
  pin(p: ImagePin): ImagePin;
  ref(p: ImagePin): string;
}

export function imageSource(registry?: string): ImageSource {
  const pin = (p: ImagePin): ImagePin =>
    registry === undefined
      ? p
      : { repository: `${registry}/${canonicalRepository(p.repository)}`, tag: p.tag };
  return { ...(registry !== undefined ? { registry } : {}), pin, ref: (p) => imageRef(pin(p)) };
}

/** What a helm.v3.Release needs to fetch a pinned chart. */
export interface ChartSource {
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: {
    readonly repo?: string;
    readonly caFile?: string;
    readonly username?: string;
    readonly password?: pulumi.Input<string>;
  };
}

export interface Sources {
  readonly images: ImageSource;
  chart(key: ChartKey): ChartSource;
}

/**
 * The sources a stack's `mirror` selects; `chartPassword` is the secret `mirror.charts.passwordSecret`
 * names. OCI charts are `<url>/<chart>` (pulumi-kubernetes ignores repositoryOpts.repo for
 * them and uses the rest only with credentials); an https repository is `repo` plus the name.
 */
export function sources(mirror?: MirrorSettings, chartPassword?: pulumi.Input<string>): Sources {
  const images = imageSource(mirror?.registry);
  const m = mirror?.charts;
  const credentials =
    m?.username !== undefined && chartPassword !== undefined
      ? { username: m.username, password: chartPassword }
      : undefined;
  return {
    images,
    chart(key) {
      const pin = charts[key];
      if (!m) return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
      const ca = m.caFile !== undefined ? { caFile: m.caFile } : {};
      if (m.kind === "oci")
        return {
          chart: `${m.url}/${pin.chart}`,
          version: pin.version,
          ...(credentials ? { repositoryOpts: { ...credentials, ...ca } } : {}),
        };
      return {
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: m.url, ...ca, ...credentials },
      };
    },
  };
}

/** The public upstreams: what a stack without `mirror` uses. */
export const PUBLIC_SOURCES: Sources = sources();

type Values = Record<string, unknown>;

function setAt(target: Values, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Values;
  at[keys[keys.length - 1]] = value;
}

/** One image setting's values, in the shape the chart reads it; `upstream` is the unmirrored pin. */
function settingValue(s: ChartImageSetting, pin: ImagePin, upstream: ImagePin): unknown {
  switch (s.shape.kind) {
    case "repositoryTag":
      return { repository: pin.repository, tag: pin.tag };
    case "registryRepositoryTag": {
      // The repository keeps its upstream components; the mirror's registry and prefix join
      // the upstream registry part.
      const parts = pin.repository.split("/");
      const n = upstream.repository.split("/").length - s.shape.registryParts;
      return {
        registry: parts.slice(0, -n).join("/"),
        repository: parts.slice(-n).join("/"),
        tag: pin.tag,
      };
    }
    case "imageAndTag":
      return pin.repository;
    case "reference":
      return imageRef(pin);
  }
}

/**
 * Every image setting of a pinned chart (versions/chart-images.ts) at its pin, from `images`;
 * the component's own values are merged over these.
 */
export function chartImageValues(key: ChartKey, images: ImageSource): Values {
  const out: Values = {};
  for (const s of CHART_IMAGE_SETTINGS[key]) {
    if (!s.pin) continue;
    const pin = images.pin(s.pin);
    setAt(out, s.path, settingValue(s, pin, s.pin));
    if (s.shape.kind === "imageAndTag") {
      const parent = s.path.split(".").slice(0, -1);
      setAt(out, [...parent, s.shape.tagKey].join("."), pin.tag);
    }
  }
  return out;
}
