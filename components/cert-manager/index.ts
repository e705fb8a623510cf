// cert-manager from its chart (CRDs included) or the cluster's own installation
// (`existingOperators.certManager`), a CA ClusterIssuer seeded from the project's root CA, and
// for Harbor's public certificate optionally an ACME ClusterIssuer or the cluster's named one.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as kube from "@pulumi/kubernetes";
import type { CertManagerSettings, ProxyConfig } from "../../config";
import type { PlatformNamespace } from "../namespace";
import type { RootCa } from "../tls";
import { customResource, hostnameSpread, mergeValues, pinnedRelease } from "../k8s";
import { chartMonitoringValues, type Labels } from "../monitoring/chart-values";
import type { Sources } from "../mirror";

export const CA_ISSUER = "harbor-platform-ca";
export const ACME_ISSUER = "harbor-platform-acme";
const CA_SECRET = "harbor-platform-root-ca";

/**
 * The proxy for the controller, the only component that calls out (ACME): the chart's top-level
 * http_proxy, https_proxy and no_proxy become its HTTP_PROXY, HTTPS_PROXY and NO_PROXY
 * (cert-manager v1.21.1 deploy/charts/cert-manager/templates/deployment.yaml; the webhook,
 * cainjector and startupapicheck get none). NO_PROXY keeps the API server direct.
 */
export function certManagerProxyValues(proxy: ProxyConfig): Record<string, unknown> {
  return { http_proxy: proxy.httpProxy, https_proxy: proxy.httpsProxy, no_proxy: proxy.noProxy.join(",") };
}

/** HA for the controller, webhook and cainjector: two or more replicas, each with a PDB. */
export function certManagerValues(): Record<string, unknown> {
  const pdb = { enabled: true, minAvailable: 1 };
  // Replicas on different nodes: the chart adds no labelSelector, so each names its pods.
  const spread = (component: string) =>
    hostnameSpread({
      "app.kubernetes.io/instance": "cert-manager",
      "app.kubernetes.io/component": component,
    });
  return {
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    podDisruptionBudget: pdb,
    topologySpreadConstraints: spread("controller"),
    webhook: { replicaCount: 3, podDisruptionBudget: pdb, topologySpreadConstraints: spread("webhook") },
    cainjector: {
      replicaCount: 2,
      podDisruptionBudget: pdb,
      topologySpreadConstraints: spread("cainjector"),
    },
  };
}

export interface CertificateSpec {
  /** Secret cert-manager writes: tls.crt, tls.key and (CA issuer) ca.crt. */
  readonly secretName: string;
  readonly namespace: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Public certificates may come from ACME; everything internal uses the CA issuer. */
  readonly public?: boolean;
}

/** The cluster's cert-manager: its namespace, its ClusterIssuer for the public certificate, and what checked it. */
export interface ExistingCertManagerArgs {
  readonly namespace: string;
  readonly clusterIssuer?: string;
  /** The preflight reads its resources wait for (its CRDs; the named ClusterIssuer). */
  readonly ready: pulumi.Resource[];
}

export interface CertManagerArgs {
  /** The namespace the program installs cert-manager into; absent with `existing`. */
  readonly namespace?: PlatformNamespace;
  readonly existing?: ExistingCertManagerArgs;
  readonly rootCa: RootCa;
  readonly settings: CertManagerSettings;
  readonly certValidityDays: number;
  readonly provider?: k8s.Provider;
  /** Labels Prometheus selects by: turns on the chart's ServiceMonitor (certificate expiry metrics). */
  readonly monitoringLabels?: Labels;
  /** The corporate proxy ACME goes through: the program's own installation's (the cluster's keeps its owner's). */
  readonly proxy?: ProxyConfig;
  /** Where the chart and images come from. */
  readonly sources: Sources;
}

export class CertManager extends pulumi.ComponentResource {
  /** The program's own installation; absent when the cluster's is used. */
  readonly release?: kube.helm.v3.Release;
  /** What cert-manager's resources wait for: the release, or the checks of the cluster's own. */
  readonly ready: pulumi.Resource[];
  readonly namespace: string;
  readonly caIssuer: kube.apiextensions.CustomResource;
  /** Issuer of Harbor's public certificate: ACME, the cluster's named one, or the CA issuer. */
  private readonly publicIssuer: { readonly name: string; readonly dependsOn: pulumi.Resource[] };
  private readonly certValidityDays: number;
  private readonly provider?: k8s.Provider;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:cert-manager:CertManager", name, {}, opts);
    this.provider = args.provider;
    this.certValidityDays = args.certValidityDays;
    const existing = args.existing;
    let k8sOpts: pulumi.CustomResourceOptions;
    if (existing) {
      this.namespace = existing.namespace;
      this.ready = existing.ready;
      k8sOpts = { parent: this, provider: args.provider, dependsOn: existing.ready };
    } else if (args.namespace) {
      this.namespace = args.namespace.name;
      k8sOpts = { parent: this, provider: args.provider, dependsOn: [args.namespace.namespace] };
      this.release = pinnedRelease(
        name,
        {
          name: "cert-manager",
          namespace: this.namespace,
          chart: "certManager",
          values: mergeValues(
            certManagerValues(),
            args.monitoringLabels && chartMonitoringValues.certManager(args.monitoringLabels),
            args.proxy && certManagerProxyValues(args.proxy),
          ),
          sources: args.sources,
        },
        k8sOpts,
      );
      this.ready = [this.release];
    } else {
      throw new Error("CertManager needs a namespace to install into or an existing installation");
    }
    const ns = this.namespace;
    // A ClusterIssuer reads its CA Secret from cert-manager's own namespace (its cluster
    // resource namespace), the cluster's installation's too.
    const caSecret = new kube.core.v1.Secret(
      `${name}-root-ca`,
      {
        metadata: { name: CA_SECRET, namespace: ns },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": args.rootCa.certPem, "tls.key": pulumi.secret(args.rootCa.privateKeyPem) },
      },
      k8sOpts,
    );
    const crOpts = { parent: this, provider: args.provider, dependsOn: [...this.ready, caSecret] };
    this.caIssuer = customResource(
      `${name}-ca-issuer`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        name: CA_ISSUER,
        spec: { ca: { secretName: CA_SECRET } },
        waitFor: "condition=Ready",
        timeoutSeconds: 300,
      },
      crOpts,
    );
    const acme = args.settings.acme;
    const acmeIssuer = acme
      ? customResource(
          `${name}-acme-issuer`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            name: ACME_ISSUER,
            spec: {
              acme: {
                email: acme.email,
                server: acme.server,
                privateKeySecretRef: { name: `${ACME_ISSUER}-account` },
                solvers: [{ http01: { ingress: { ingressClassName: acme.solverIngressClass } } }],
              },
            },
            waitFor: "condition=Ready",
            timeoutSeconds: 300,
          },
          { parent: this, provider: args.provider, dependsOn: this.ready },
        )
      : undefined;
    this.publicIssuer = existing?.clusterIssuer
      ? { name: existing.clusterIssuer, dependsOn: existing.ready }
      : acmeIssuer
        ? { name: ACME_ISSUER, dependsOn: [acmeIssuer] }
        : { name: CA_ISSUER, dependsOn: [this.caIssuer] };
    this.registerOutputs({ caIssuer: CA_ISSUER });
  }

  /**
   * A Certificate whose Secret dependents may mount: Pulumi waits for `Ready`, so a Release
   * depending on it finds the Secret in place.
   */
  certificate(
    resourceName: string,
    spec: CertificateSpec,
    dependsOn: pulumi.Resource[] = [],
  ): kube.apiextensions.CustomResource {
    const issuer = spec.public ? this.publicIssuer : { name: CA_ISSUER, dependsOn: [this.caIssuer] };
    return issuedCertificate(
      resourceName,
      {
        ...spec,
        issuer: issuer.name,
        // The ACME server (or the cluster's issuer) decides the lifetime of public certificates.
        ...(issuer.name === CA_ISSUER ? { validityDays: this.certValidityDays } : {}),
      },
      { parent: this, provider: this.provider, dependsOn: [...issuer.dependsOn, ...dependsOn] },
    );
  }
}

/**
 * A cert-manager Certificate from a ClusterIssuer, awaited until Ready. `validityDays` sets its
 * lifetime and renewal (a third before expiry); without it the issuer decides.
 */
export function issuedCertificate(
  resourceName: string,
  spec: CertificateSpec & { readonly issuer: string; readonly validityDays?: number },
  opts: pulumi.CustomResourceOptions,
): kube.apiextensions.CustomResource {
  const days = spec.validityDays;
  return customResource(
    resourceName,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      name: spec.secretName,
      namespace: spec.namespace,
      spec: {
        secretName: spec.secretName,
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: spec.issuer },
        dnsNames: [...spec.dnsNames],
        ...(spec.ipAddresses ? { ipAddresses: [...spec.ipAddresses] } : {}),
        ...(days
          ? { duration: `${days * 24}h`, renewBefore: `${Math.max(1, Math.floor(days / 3)) * 24}h` }
          : {}),
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        // Harbor's components also present their internal certificate as clients.
        usages: ["server auth", "client auth", "digital signature"],
      },
      waitFor: "condition=Ready",
      timeoutSeconds: 600,
    },
    opts,
  );
}
