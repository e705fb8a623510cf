import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NamespaceQuota } from "../../config";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PlatformNamespaceArgs {
  /** Literal name: Releases in this namespace must know it at preview. */
  readonly name: string;
  /** Enforced Pod Security level; `restricted` is always warned and audited. */
  readonly podSecurity: PodSecurityLevel;
  readonly quota: NamespaceQuota;
  readonly provider?: k8s.Provider;
}

/** A namespace the project owns: Pod Security labels and a storage ResourceQuota. */
export class PlatformNamespace extends pulumi.ComponentResource {
  readonly name: string;
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:namespace:PlatformNamespace", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    this.name = args.name;
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          labels: {
            "app.kubernetes.io/part-of": "harbor-platform",
            "pod-security.kubernetes.io/enforce": args.podSecurity,
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      childOpts,
    );
    // Caps how much disk the namespace can claim, so a runaway PVC cannot fill the cluster.
    new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      {
        metadata: { name: "storage", namespace: args.name },
        spec: {
          hard: {
            "requests.storage": args.quota.storage,
            persistentvolumeclaims: String(args.quota.persistentVolumeClaims),
          },
        },
      },
      { ...childOpts, dependsOn: [this.namespace] },
    );
    this.registerOutputs({ name: this.name });
  }
}
