// The stacks the mirror tests evaluate, shared so each is evaluated once per process, and the
// readers of what they register: every Release's values over its chart's pinned defaults, and
// every image reference the program hands to Kubernetes outside a chart.
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { charts, type ChartKey } from "../../versions";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, StackSecret, type StackRun } from "../harness";
import { devWithOptions } from "../harness/options";
import { prodBehindProxy } from "../restricted/fixtures";
import { upstreamFile } from "../upstream";

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The site's registry and chart repository in the tests (a Harbor with a `mirror` project). */
export const MIRROR_REGISTRY = "harbor.site.example/mirror";
export const MIRROR = {
  registry: MIRROR_REGISTRY,
  charts: { url: "oci://harbor.site.example/charts" },
};

/**
 * A prod stack that restores (the refill Job) and issues by ACME (the solver image in use), from
 * the site's own ACME server: an air-gapped site reaches no public one.
 */
export const RESTORING = {
  restore: {
    enabled: true,
    source: { bucket: "harbor-dr-example-prod", region: "eu-central-1", serverName: "harbor-pg" },
  },
  certManager: {
    issuer: "acme",
    acme: { email: "ops@example.com", server: "https://acme.site.example/acme/directory" },
  },
};

/**
 * Every combination whose pods differ: dev with logging, prod, prod restoring with ACME, and prod
 * behind a corporate proxy inside the site (the proxy's environment beside the mirrored images).
 */
export const MIRRORED_STACKS: readonly (readonly [string, string, () => Obj])[] = [
  ["dev with logging", "dev", () => ({ ...devWithOptions(), mirror: MIRROR })],
  ["prod", "prod", () => ({ mirror: MIRROR })],
  ["prod restoring, ACME", "prod", () => ({ ...RESTORING, mirror: MIRROR })],
  ["prod behind a corporate proxy", "prod", () => ({ ...prodBehindProxy(), mirror: MIRROR })],
];

export const evaluate = (stack: string, overrides: Obj): Promise<StackRun> => evaluateStack(stack, overrides);
export { StackSecret };

/** Which pinned chart a Release installs, from its chart reference (a name or `oci://.../name`). */
export function chartKeyOf(chartRef: string): ChartKey {
  const name = chartRef.slice(chartRef.lastIndexOf("/") + 1);
  const key = (Object.keys(charts) as ChartKey[]).find((k) => charts[k].chart === name);
  if (!key) throw new Error(`unpinned chart ${chartRef}`);
  return key;
}

export interface ReleaseValues {
  readonly key: ChartKey;
  readonly name: string;
  readonly inputs: Obj;
  /** The program's values only. */
  readonly own: Obj;
  /** What the chart renders with: its pinned defaults under the program's values. */
  readonly merged: Obj;
}

export function releases(run: StackRun): ReleaseValues[] {
  return run.byType(RELEASE).map((r) => {
    const key = chartKeyOf(String(r.inputs.chart));
    const own = (r.inputs.values ?? {}) as Obj;
    return {
      key,
      name: String(r.inputs.name),
      inputs: r.inputs,
      own,
      merged: coalesce(chartData(charts[key].upstream).values, own),
    };
  });
}

/** The chart's appVersion (cert-manager's release tool sets it to the chart version). */
export function appVersion(key: ChartKey): string {
  if (key === "certManager") return charts.certManager.version;
  const chart = parseYaml(fs.readFileSync(upstreamFile(charts[key].upstream, "Chart.yaml"), "utf8")) as Obj;
  return String(chart.appVersion);
}

/**
 * Every `image`/`imageName` string in what the program registers outside the Releases'
 * chart-owned settings: pod templates of Jobs and CronJobs (containers, initContainers,
 * ephemeralContainers), CloudNativePG Clusters, manifests carried as JSON in ConfigMaps (the
 * drill's scratch Cluster), and containers the program adds to a chart's values.
 */
export function programImages(run: StackRun): { where: string; image: string }[] {
  const out: { where: string; image: string }[] = [];
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        if ((k === "image" || k === "imageName") && typeof x === "string")
          out.push({ where: `${where}.${k}`, image: x });
        else walk(x, `${where}.${k}`);
      }
  };
  for (const r of run.resources) {
    if (r.type === RELEASE) {
      // Containers the program writes into a chart's values (lists: no chart default to merge).
      for (const path of ["initContainers", "extraContainers", "sidecars", "extraInitContainers"]) {
        const list = at(r.inputs.values, path);
        if (Array.isArray(list)) walk(list, `${r.name} values.${path}`);
      }
      continue;
    }
    if (r.type === "kubernetes:core/v1:ConfigMap") {
      for (const [k, text] of Object.entries((r.inputs.data ?? {}) as Record<string, string>)) {
        try {
          walk(JSON.parse(text) as unknown, `${r.name} data.${k}`);
        } catch {
          // Not a manifest.
        }
      }
      continue;
    }
    walk(r.inputs.spec, `${r.type} ${r.name} spec`);
  }
  return out;
}
