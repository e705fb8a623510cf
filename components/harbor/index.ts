import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import { pinnedRelease, randomPassword as password } from "../k8s";
import type { Sources } from "../mirror";
import type { PlatformNamespace } from "../namespace";
import { HARBOR_RELEASE_TIMEOUT_SECONDS } from "./upgrade";
import {
  CREDENTIAL_KEYS,
  REGISTRY_USERNAME,
  harborValues,
  type HarborValuesInput,
  type HelmValues,
} from "./values";

export * from "./values";
export * from "./upgrade";

export const ADMIN_USERNAME = "admin";

export interface ServerTlsPem {
  readonly certPem: pulumi.Input<string>;
  readonly keyPem: pulumi.Input<string>;
  readonly caPem: pulumi.Input<string>;
}

export interface HarborArgs {
  /** Everything the values builder needs except the Secret names, which this component owns. */
  readonly values: Omit<HarborValuesInput, "secrets">;
  /** The namespace Harbor lives in; its name is literal so Helm sees it at preview. */
  readonly namespace: PlatformNamespace;
  /**
   * The server certificate Secret. Given as PEM in dev (signed by the project's CA), or as
   * the name of a Secret that cert-manager fills in prod.
   */
  readonly serverTls: ServerTlsPem | { readonly secretName: string };
  readonly provider?: k8s.Provider;
  /** What Harbor's pods need in place first (database Ready, Redis, object store, certificates). */
  readonly dependsOn?: pulumi.Resource[];
  /**
   * Protect the credentials Secret: `secretKey` encrypts what Harbor stores in its database,
   * so losing it makes the data unreadable.
   */
  readonly protectSecrets?: boolean;
  /** Install timeout; Harbor's first start runs database migrations. */
  readonly timeoutSeconds?: number;
  /** The chart version to deploy (the pin unless `harborChartVersion` says otherwise). */
  readonly chartVersion?: string;
  /** Where the chart and images come from. */
  readonly sources: Sources;
  /**
   * A restore without the Pulumi state: the lost site's `secretKey` and admin password, which
   * its database was written with, instead of generated ones (the rest is regenerated: it
   * only links Harbor's components to each other).
   */
  readonly restoredSecrets?: {
    readonly secretKey: pulumi.Input<string>;
    readonly adminPassword: pulumi.Input<string>;
  };
  /** A GitHub token for Trivy (secret config `trivy.gitHubTokenSecret` names it). */
  readonly trivyGitHubToken?: pulumi.Input<string>;
}

/**
 * Harbor from its official chart (helm.v3.Release: the chart's existingSecret values rely on
 * Helm's `lookup`). Every value the chart would otherwise generate on each render is
 * generated once here, so `pulumi up` never restarts Harbor for nothing.
 */
export class Harbor extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly url: string;
  readonly adminUsername = ADMIN_USERNAME;
  readonly adminPassword: pulumi.Output<string>;
  /** Secret with the admin password (CREDENTIAL_KEYS.adminPassword) and Harbor's other credentials. */
  readonly credentialsSecretName: string;

  constructor(name: string, args: HarborArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:harbor:Harbor", name, {}, opts);
    const ns = args.namespace.name;
    // Secrets need only the Namespace; the Release also waits for the quota (its PVCs count).
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] };

    const restored = args.restoredSecrets;
    const adminPassword = restored
      ? pulumi.output(restored.adminPassword)
      : password(`${name}-admin-password`, 24, this).result;
    // Harbor encrypts stored credentials with secretKey; it must be exactly 16 characters.
    const secretKeyValue = restored
      ? pulumi.output(restored.secretKey)
      : password(`${name}-secret-key`, 16, this).result;
    const coreSecret = password(`${name}-core-secret`, 32, this);
    const jobserviceSecret = password(`${name}-jobservice-secret`, 32, this);
    const registryHttpSecret = password(`${name}-registry-http-secret`, 32, this);
    const registryPassword = password(`${name}-registry-password`, 32, this);
    // The CSRF key must be 32 characters.
    const xsrfKey = password(`${name}-xsrf-key`, 32, this);

    const secretNames = { credentials: `${name}-credentials`, token: `${name}-token` };
    this.credentialsSecretName = secretNames.credentials;
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: secretNames.credentials, namespace: ns },
        type: "Opaque",
        stringData: {
          [CREDENTIAL_KEYS.adminPassword]: pulumi.secret(adminPassword),
          [CREDENTIAL_KEYS.secretKey]: pulumi.secret(secretKeyValue),
          [CREDENTIAL_KEYS.coreSecret]: pulumi.secret(coreSecret.result),
          [CREDENTIAL_KEYS.jobserviceSecret]: pulumi.secret(jobserviceSecret.result),
          [CREDENTIAL_KEYS.registryHttpSecret]: pulumi.secret(registryHttpSecret.result),
          [CREDENTIAL_KEYS.registryPassword]: pulumi.secret(registryPassword.result),
          [CREDENTIAL_KEYS.registryHtpasswd]: pulumi.secret(
            pulumi.interpolate`${REGISTRY_USERNAME}:${registryPassword.bcryptHash}`,
          ),
          [CREDENTIAL_KEYS.xsrfKey]: pulumi.secret(xsrfKey.result),
        },
      },
      { ...k8sOpts, protect: args.protectSecrets ?? false },
    );

    // The token service signs registry tokens with this RSA key; the chart would regenerate it.
    const tokenKey = new tls.PrivateKey(
      `${name}-token-key`,
      { algorithm: "RSA", rsaBits: 4096 },
      { parent: this },
    );
    const tokenCert = new tls.SelfSignedCert(
      `${name}-token-cert`,
      {
        privateKeyPem: tokenKey.privateKeyPem,
        validityPeriodHours: 10 * 365 * 24,
        earlyRenewalHours: 90 * 24,
        allowedUses: ["digital_signature", "key_encipherment"],
        subject: { commonName: "harbor-token-ca" },
      },
      { parent: this },
    );
    const token = new k8s.core.v1.Secret(
      `${name}-token`,
      {
        metadata: { name: secretNames.token, namespace: ns },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": tokenCert.certPem, "tls.key": pulumi.secret(tokenKey.privateKeyPem) },
      },
      k8sOpts,
    );

    const dependsOn: pulumi.Resource[] = [args.namespace, credentials, token, ...(args.dependsOn ?? [])];
    let serverTlsName: string;
    if ("secretName" in args.serverTls) {
      serverTlsName = args.serverTls.secretName;
    } else {
      serverTlsName = `${name}-tls`;
      dependsOn.push(
        new k8s.core.v1.Secret(
          `${name}-tls`,
          {
            metadata: { name: serverTlsName, namespace: ns },
            type: "kubernetes.io/tls",
            stringData: {
              "tls.crt": args.serverTls.certPem,
              "tls.key": pulumi.secret(args.serverTls.keyPem),
              "ca.crt": args.serverTls.caPem,
            },
          },
          k8sOpts,
        ),
      );
    }

    const plain = harborValues({
      ...args.values,
      // The Secret written here holds ca.crt: the portal offers it as the registry certificate.
      ...("secretName" in args.serverTls ? {} : { caSecretName: serverTlsName }),
      secrets: { credentials: secretNames.credentials, token: secretNames.token, serverTls: serverTlsName },
    });
    let values: HelmValues = plain;
    if (!args.values.database) {
      // The chart offers no existingSecret for its internal database: the generated password
      // goes into the values as a secret leaf. Only that leaf is an Output, so in a first
      // preview only it is unknown: Helm and the policy pack still see every other value.
      const dbPassword = password(`${name}-database-password`, 32, this);
      values = {
        ...plain,
        database: { type: "internal", internal: { password: pulumi.secret(dbPassword.result) } },
      };
    }

    if (args.trivyGitHubToken !== undefined) {
      // The chart reads the token only from this value, into its own Secret harbor-trivy
      // (trivy-secret.yaml, harbor-helm 1.19.2): no existingSecret is offered. A secret leaf, as
      // the internal database's password: Pulumi's state holds it encrypted, and only this
      // leaf is hidden from the policy pack and Helm's preview.
      const trivy = values.trivy as HelmValues;
      values = { ...values, trivy: { ...trivy, gitHubToken: pulumi.secret(args.trivyGitHubToken) } };
    }

    // Never `atomic` or `cleanupOnFail`: a rollback after core migrated the schema would start the
    // old release on a schema it cannot read (upgrade.ts). Helm waits as long as core's startup
    // probe lets the migration run.
    this.release = pinnedRelease(
      name,
      {
        name: "harbor",
        namespace: ns,
        chart: "harbor",
        ...(args.chartVersion ? { version: args.chartVersion } : {}),
        values,
        timeoutSeconds: args.timeoutSeconds ?? HARBOR_RELEASE_TIMEOUT_SECONDS,
        sources: args.sources,
      },
      // The values name these Secrets literally, so Helm must find them in place.
      { ...k8sOpts, dependsOn },
    );

    this.url = `https://${args.values.hostname}`;
    this.adminPassword = pulumi.secret(adminPassword);
    this.registerOutputs({
      url: this.url,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
    });
  }
}
