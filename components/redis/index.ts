// Redis with Sentinel from the redis-ha chart (official Redis image): one Redis data node and
// one sentinel per pod, pods strictly on different nodes (and zones, when config declares them). Data nodes require a password;
// sentinels do not, because Harbor cannot authenticate to Sentinel. Only Harbor's pods may
// connect (NetworkPolicy, built by the platform).
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type * as kube from "@pulumi/kubernetes";
import type { RedisSettings } from "../../config";
import type { PlatformNamespace } from "../namespace";
import { mergeValues, opaqueSecret, pinnedRelease, randomPassword, ZONE_KEY } from "../k8s";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import type { Sources } from "../mirror";

export const RELEASE = "redis-ha";
export const MASTER_SET = "harbor";
export const SENTINEL_PORT = 26379;
export const REDIS_PORT = 6379;
/** Labels the chart puts on the Redis pods. */
export const POD_LABELS = { app: "redis-ha", release: RELEASE } as const;
const AUTH_KEY = "auth";

export function redisValues(s: RedisSettings, authSecret: string): Record<string, unknown> {
  return {
    replicas: s.replicas,
    auth: true,
    existingSecret: authSecret,
    authKey: AUTH_KEY,
    redis: { masterGroupName: MASTER_SET },
    // A majority of sentinels decides a failover.
    sentinel: { auth: false, quorum: Math.floor(s.replicas / 2) + 1 },
    hardAntiAffinity: true,
    // The chart renders this one constraint with its own selector; it has no minDomains, so
    // the spread holds only while the cluster has the zones config declares.
    ...(s.zones > 1
      ? {
          topologySpreadConstraints: {
            enabled: true,
            maxSkew: 1,
            topologyKey: ZONE_KEY,
            whenUnsatisfiable: "DoNotSchedule",
          },
        }
      : {}),
    podDisruptionBudget: { maxUnavailable: 1 },
    persistentVolume: { enabled: true, storageClass: s.storageClass, size: s.size },
    haproxy: { enabled: false },
  };
}

/** Sentinel addresses through the chart's per-pod announce Services (stable across restarts). */
export function sentinelAddr(replicas: number, namespace: string): string {
  return Array.from(
    { length: replicas },
    (_, i) => `${RELEASE}-announce-${i}.${namespace}.svc:${SENTINEL_PORT}`,
  ).join(",");
}

export interface RedisSentinelArgs {
  readonly namespace: PlatformNamespace;
  readonly harborNamespace: PlatformNamespace;
  readonly settings: RedisSettings;
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on the Redis exporter, its ServiceMonitor and a Sentinel exporter. */
  readonly monitoringLabels?: Labels;
  /** Where the chart and images come from. */
  readonly sources: Sources;
}

export class RedisSentinel extends pulumi.ComponentResource {
  readonly release: kube.helm.v3.Release;
  readonly addr: string;
  readonly masterSet = MASTER_SET;
  /** Secret in Harbor's namespace with REDIS_PASSWORD (the chart's redis.external.existingSecret). */
  readonly harborSecretName = "harbor-redis";
  readonly harborSecret: kube.core.v1.Secret;

  constructor(name: string, args: RedisSentinelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:redis:RedisSentinel", name, {}, opts);
    const ns = args.namespace.name;
    const password = randomPassword(`${name}-password`, 32, this);
    const auth = opaqueSecret(
      `${name}-auth`,
      { name: `${RELEASE}-auth`, namespace: ns, data: { [AUTH_KEY]: password.result } },
      { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] },
    );
    this.harborSecret = opaqueSecret(
      `${name}-harbor-client`,
      {
        name: this.harborSecretName,
        namespace: args.harborNamespace.name,
        data: { REDIS_PASSWORD: password.result },
      },
      { parent: this, provider: args.provider, dependsOn: [args.harborNamespace.namespace] },
    );
    this.release = pinnedRelease(
      name,
      {
        name: RELEASE,
        namespace: ns,
        chart: "redisHa",
        values: mergeValues(
          redisValues(args.settings, `${RELEASE}-auth`),
          args.monitoringLabels && chartMonitoringValues.redisHa(args.monitoringLabels, args.sources.images),
        ),
        sources: args.sources,
      },
      { parent: this, provider: args.provider, dependsOn: [args.namespace, auth] },
    );
    this.addr = sentinelAddr(args.settings.replicas, ns);
    this.registerOutputs({ addr: this.addr, masterSet: this.masterSet });
  }
}
