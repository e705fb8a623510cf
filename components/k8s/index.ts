// Small shared builders for what every prod component registers: a pinned Helm Release and a
// custom resource that waits for its CRD's Release and, when asked, for its Ready condition.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { ChartKey } from "../../versions";
import { chartImageValues, type Sources } from "../mirror";

export interface ReleaseArgs {
  /** Literal release name and namespace, so Helm sees them at preview. */
  readonly name: string;
  readonly namespace: string;
  readonly chart: ChartKey;
  /**
   * A chart version other than the pin (Harbor's `harborChartVersion`): the chart's own image
   * defaults run then, since versions/chart-images.ts describes the pin's values.yaml. Never with
   * a mirror registry (the config refuses it: the mirror holds the pin's images).
   */
  readonly version?: string;
  /** A plain object (Outputs only as leaves), so Helm and the policy pack see it at preview. */
  readonly values: Record<string, unknown>;
  readonly timeoutSeconds?: number;
  /** Where the chart and its images come from (public upstreams or the site's mirror). */
  readonly sources: Sources;
}

/**
 * A Release of a pinned chart, from `sources`: every image the chart can run is set to its pin
 * there (versions/chart-images.ts), under the component's own values.
 */
export function pinnedRelease(
  resourceName: string,
  args: ReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  const source = args.sources.chart(args.chart);
  const version = args.version ?? source.version;
  const pinned = version === source.version;
  if (!pinned && args.sources.images.registry !== undefined)
    throw new Error(
      `${args.chart} ${version} is not the pinned chart: its images are not known for the mirror`,
    );
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: args.name,
      namespace: args.namespace,
      chart: source.chart,
      version,
      ...(source.repositoryOpts ? { repositoryOpts: source.repositoryOpts } : {}),
      values: pinned
        ? mergeValues(chartImageValues(args.chart, args.sources.images), args.values)
        : args.values,
      timeout: args.timeoutSeconds ?? 600,
      maxHistory: 10,
    },
    opts,
  );
}

export interface CrArgs {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Omitted for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly spec: pulumi.Input<Record<string, unknown>>;
  /** `condition=Ready` makes Pulumi wait for it (CRs are otherwise ready at once). */
  readonly waitFor?: string;
  readonly timeoutSeconds?: number;
}

export function customResource(
  resourceName: string,
  args: CrArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  const annotations: Record<string, string> = {};
  if (args.waitFor) annotations["pulumi.com/waitFor"] = args.waitFor;
  if (args.timeoutSeconds) annotations["pulumi.com/timeoutSeconds"] = String(args.timeoutSeconds);
  return new k8s.apiextensions.CustomResource(
    resourceName,
    {
      apiVersion: args.apiVersion,
      kind: args.kind,
      metadata: {
        name: args.name,
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.waitFor ? { annotations } : {}),
      },
      spec: args.spec,
    },
    opts,
  );
}

interface SecretArgs {
  readonly name: string;
  readonly namespace: string;
  readonly data: Record<string, pulumi.Input<string>>;
  /** Whether the values are secret; a CA certificate is not. */
  readonly confidential?: boolean;
}

/** An Opaque Secret of string keys; values marked secret unless told otherwise (mocks do not mark them). */
export function opaqueSecret(
  resourceName: string,
  args: SecretArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const wrap = args.confidential === false ? (v: pulumi.Input<string>) => v : pulumi.secret;
  return new k8s.core.v1.Secret(
    resourceName,
    {
      metadata: { name: args.name, namespace: args.namespace },
      type: "Opaque",
      stringData: Object.fromEntries(Object.entries(args.data).map(([k, v]) => [k, wrap(v)])),
    },
    opts,
  );
}

/** A Secret holding only `ca.crt`: the trust bundle Harbor, MinIO and backups read. */
export function caBundleSecret(
  resourceName: string,
  args: { readonly name: string; readonly namespace: string; readonly caPem: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return opaqueSecret(
    resourceName,
    { name: args.name, namespace: args.namespace, data: { "ca.crt": args.caPem }, confidential: false },
    opts,
  );
}

/**
 * A password every consumer accepts (Harbor wants upper, lower and digit; no specials keeps it
 * safe in URLs, Redis and MinIO configs).
 */
export function randomPassword(name: string, length: number, parent: pulumi.Resource): random.RandomPassword {
  return new random.RandomPassword(
    name,
    { length, special: false, minUpper: 1, minLower: 1, minNumeric: 1 },
    { parent },
  );
}

export const ZONE_KEY = "topology.kubernetes.io/zone";

/**
 * Pods spread strictly over `zones` zones (none below 2): at most one more in any zone than in
 * another, and with fewer zones than declared the scheduler leaves the extra pods pending
 * (minDomains) rather than stacking them, so the declared layout is the one that runs.
 */
export function zoneSpread(matchLabels: Record<string, string>, zones: number): Record<string, unknown>[] {
  if (zones < 2) return [];
  return [
    {
      maxSkew: 1,
      topologyKey: ZONE_KEY,
      whenUnsatisfiable: "DoNotSchedule",
      minDomains: zones,
      labelSelector: { matchLabels },
    },
  ];
}

/** Replicas strictly on different nodes, for charts that take the selector from values. */
export function hostnameSpread(matchLabels: Record<string, string>): Record<string, unknown>[] {
  return [
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels },
    },
  ];
}

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** Helm's own rule for layering values, each overlay in turn: maps merge key by key, anything else is replaced. */
export function mergeValues(base: Values, ...overlays: (Values | undefined)[]): Values {
  return overlays.reduce<Values>((acc, overlay) => {
    if (!overlay) return acc;
    const out: Values = { ...acc };
    for (const [k, v] of Object.entries(overlay))
      out[k] = isMap(out[k]) && isMap(v) ? mergeValues(out[k], v) : v;
    return out;
  }, base);
}

export { RELOADER_SECRET_ANNOTATION, reloadOnSecrets } from "./reloader";
