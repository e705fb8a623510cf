import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../config";
import { Harbor } from "../harbor";
import { HarborConfiguration } from "../harbor-config";
import { PlatformNamespace } from "../namespace";
import { RootCa, ServerCert } from "../tls";

export interface HarborPlatformArgs {
  readonly config: PlatformConfig;
  /** Values of the secret config keys named by `config.secretKeys`. */
  readonly secrets: Record<string, pulumi.Input<string>>;
  /** Kubernetes provider; the ambient kube context when omitted. */
  readonly provider?: k8s.Provider;
}

/**
 * The whole registry environment for one stack. It composes parts per topology: later
 * capabilities (database, cache, object store, DR, logging, backup) are parts added here.
 */
export class HarborPlatform extends pulumi.ComponentResource {
  readonly url: string;
  readonly adminUsername: string;
  readonly adminPassword: pulumi.Output<string>;
  readonly caCert: pulumi.Output<string>;
  readonly harbor: Harbor;
  readonly harborConfiguration: HarborConfiguration;

  constructor(name: string, args: HarborPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:platform:HarborPlatform", name, {}, opts);
    const cfg = args.config;
    const provider = args.provider;

    const ca = new RootCa(
      `${name}-ca`,
      { commonName: `${cfg.hostname} root CA`, validityDays: cfg.tls.caValidityDays },
      { parent: this },
    );
    const namespace = new PlatformNamespace(
      `${name}-harbor-ns`,
      // The chart's internal database runs a root init container: baseline, not restricted.
      { name: cfg.namespace, podSecurity: "baseline", quota: cfg.namespaceQuota, provider },
      { parent: this },
    );

    const serverCert = new ServerCert(
      `${name}-server-cert`,
      { ca, dnsNames: [cfg.hostname], validityDays: cfg.tls.certValidityDays },
      { parent: this },
    );

    this.harbor = new Harbor(
      "harbor",
      {
        namespace,
        provider,
        values: {
          topology: cfg.topology,
          hostname: cfg.hostname,
          exposure: cfg.exposure,
          storage: cfg.storage,
          harbor: cfg.harbor,
        },
        serverTls: { certPem: serverCert.certPem, keyPem: serverCert.privateKeyPem, caPem: ca.certPem },
      },
      { parent: this },
    );

    // Talks to Harbor's API as the admin this program created, trusting the project's CA.
    this.harborConfiguration = new HarborConfiguration(
      "harbor-config",
      {
        url: this.harbor.url,
        username: this.harbor.adminUsername,
        password: this.harbor.adminPassword,
        caCert: ca.certPem,
        spec: cfg.harborConfig,
        secrets: args.secrets,
        harborReady: this.harbor.release,
      },
      { parent: this },
    );

    this.url = this.harbor.url;
    this.adminUsername = this.harbor.adminUsername;
    this.adminPassword = this.harbor.adminPassword;
    this.caCert = ca.certPem;
    this.registerOutputs({ url: this.url, adminUsername: this.adminUsername, caCert: this.caCert });
  }
}
