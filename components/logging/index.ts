import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NamespaceQuota } from "../../config";
import type { LoggingConfig } from "../../config/observability";
import { charts } from "../../versions";
import { PlatformNamespace } from "../namespace";
import { credentialSecretData, fluentBitValues } from "./pipeline";

export * from "./pipeline";

export interface FluentBitArgs {
  readonly logging: LoggingConfig;
  readonly harborNamespace: string;
  /** The stack secret named by logging.credentialsSecret (config.requireSecret). */
  readonly credential: pulumi.Input<string>;
  readonly quota: NamespaceQuota;
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  readonly provider?: k8s.Provider;
}

/** Fluent Bit on every node, shipping container logs to the configured ELK endpoint. */
export class FluentBit extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluentBitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:logging:FluentBit", name, {}, opts);
    const ns = args.logging.namespace;
    // hostPath volumes (container logs, buffer) need the privileged Pod Security level.
    const namespace = new PlatformNamespace(
      `${name}-ns`,
      { name: ns, podSecurity: "privileged", quota: args.quota, provider: args.provider },
      { parent: this },
    );
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [namespace] };
    const secretName = `${name}-credentials`;
    const secret = new k8s.core.v1.Secret(
      secretName,
      {
        metadata: { name: secretName, namespace: ns },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi.output(args.credential).apply((v) => credentialSecretData(args.logging.auth, v)),
        ),
      },
      k8sOpts,
    );
    const pin = charts.fluentBit;
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: "fluent-bit",
        namespace: ns,
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: pin.repo },
        values: fluentBitValues({
          logging: args.logging,
          harborNamespace: args.harborNamespace,
          credentialsSecretName: secretName,
          serviceMonitorLabels: args.serviceMonitorLabels,
        }),
        timeout: 600,
      },
      { ...k8sOpts, dependsOn: [namespace, secret] },
    );
    this.registerOutputs({ release: this.release.status });
  }
}
