import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { HarborConfiguration } from "../harbor-config";
import { FluentBit } from "../logging";
import { Monitoring, dashboardsConfigMap, robotExpiryRule } from "../monitoring";
import { POD_LABELS as REDIS_POD_LABELS } from "../redis";
import {
  OBJECT_STORE_SECRET_KEYS,
  publicCertByProjectCa,
  type PlatformConfig,
  type ProdSettings,
} from "../../config";
import { unverifiedChartWarning } from "../../config/upgrade";
import { issuedCertificate } from "../cert-manager";
import { RESTORED_SECRET_KEYS } from "../../config/dr";
import { Harbor, HarborUpgradeGate, internalDatabaseDump, smokeTestJob, type HarborArgs } from "../harbor";
import { PlatformNamespace, type PodSecurityLevel } from "../namespace";
import { RootCa, ServerCert, rootCaCommonName } from "../tls";
import { DR_MIRROR_PODS, harborFlows, type ProdNamespaces } from "./flows";
import { namespacePolicies } from "../network-policy";
import { sources as sourcesOf } from "../mirror";
import type { DrillsMonitored, MonitoredParts } from "../monitoring/rules";
import { Preflight, existingOperatorChecks, readsFor } from "./preflight";

export interface HarborPlatformArgs {
  readonly config: PlatformConfig;
  /** Values of the secret config keys named by `config.secretKeys`. */
  readonly secrets: Record<string, pulumi.Input<string>>;
  /** Kubernetes provider; the ambient kube context when omitted. */
  readonly provider?: k8s.Provider;
}

/** What the DR and monitoring parts plug into (prod only). */
export interface ProdEndpoints {
  readonly namespaces: ProdNamespaces;
  /** In-cluster https URL of the object store (or the external endpoint). */
  readonly objectStoreUrl: string;
  readonly buckets: { readonly registry: string; readonly backups: string };
  /** Secret in the MinIO namespace (keys accessKey, secretKey): read-only on both buckets. */
  readonly mirrorCredentialsSecret?: string;
  /** Secret (key ca.crt) in the MinIO namespace: the CA that signs MinIO's certificate. */
  readonly minioCaSecret?: string;
  readonly database: {
    readonly clusterName: string;
    readonly namespace: string;
    readonly objectStoreName: string;
  };
  readonly redis: { readonly namespace: string; readonly sentinelAddr: string; readonly masterSet: string };
  /** The DR copy in AWS (prod); no mirrorCronJob in external object-store mode. */
  readonly dr?: {
    readonly bucketName: string;
    readonly region: string;
    readonly replicaBucketName?: string;
    readonly veleroNamespace: string;
    readonly mirrorCronJob?: string;
    /** The restore drills' CronJobs and how old their last success may get. */
    readonly drills?: DrillsMonitored;
    readonly restoring: boolean;
  };
}

/**
 * The whole registry environment for one stack. It composes parts per topology: dev runs the
 * chart's internal database and Redis on NAS; prod adds cert-manager, CloudNativePG, Redis
 * Sentinel, the object store and deny-by-default NetworkPolicies.
 */
export class HarborPlatform extends pulumi.ComponentResource {
  readonly url: string;
  readonly adminUsername: string;
  readonly adminPassword: pulumi.Output<string>;
  readonly caCert: pulumi.Output<string>;
  readonly harbor: Harbor;
  readonly harborConfiguration: HarborConfiguration;
  /** Holds the deployed chart version; refuses a jump outside Harbor's upgrade path. */
  readonly upgradeGate: HarborUpgradeGate;
  /** Runs after each new chart version; its failure fails the `up`. */
  readonly smokeTest?: k8s.batch.v1.Job;
  readonly prod?: ProdEndpoints;
  /**
   * Dev: when Harbor's server certificate (made by Pulumi, not renewed by anything in the
   * cluster) expires; the first `pulumi up` within its renewal window replaces it.
   */
  readonly serverCertificate?: pulumi.Output<{ readonly notAfter: string; readonly renewalDays: number }>;

  constructor(name: string, args: HarborPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:platform:HarborPlatform", name, {}, opts);
    const cfg = args.config;
    const provider = args.provider;
    // Charts and images from their public upstreams, or from the site's mirror.
    const chartPassword = cfg.mirror?.charts?.passwordSecret;
    const sources = sourcesOf(cfg.mirror, chartPassword ? args.secrets[chartPassword] : undefined);
    const siteCidrs = cfg.mirror?.siteCidrs;

    // A chart version outside the verified pin is deployed, with a warning in every preview and up.
    const warning = unverifiedChartWarning(cfg.upgrade);
    if (warning) pulumi.log.warn(warning, this);
    // Operators the config says the cluster runs: read before anything is created.
    const checks = existingOperatorChecks(cfg.existingOperators);
    const preflight =
      Object.keys(checks.crds).length > 0 || checks.clusterIssuer
        ? new Preflight(`${name}-preflight`, { ...checks, provider }, { parent: this })
        : undefined;
    const upgradeGate = (this.upgradeGate = new HarborUpgradeGate(
      `${name}-upgrade-gate`,
      cfg.upgrade.chartVersion,
      { parent: this },
    ));

    const ca = new RootCa(
      `${name}-ca`,
      { commonName: rootCaCommonName(cfg.hostname), validityDays: cfg.tls.caValidityDays },
      { parent: this },
    );
    const namespaceFor = (resource: string, ns: string, podSecurity: PodSecurityLevel) =>
      new PlatformNamespace(
        `${name}-${resource}-ns`,
        { name: ns, podSecurity, quota: cfg.namespaceQuota, provider },
        { parent: this },
      );
    // Harbor's chart (and in dev its internal database's root init container) needs baseline.
    const namespace = namespaceFor("harbor", cfg.namespace, "baseline");

    const values = {
      topology: cfg.topology,
      hostname: cfg.hostname,
      exposure: cfg.exposure,
      storage: cfg.storage,
      harbor: cfg.harbor,
      trivy: cfg.trivy,
      ...(cfg.proxy ? { proxy: cfg.proxy } : {}),
    };
    // A restore without its Pulumi state: what the restored database was written with.
    const restore = cfg.dr?.restore;
    const restored = restore?.enabled && restore.lostState ? args.secrets : undefined;
    let harborArgs: HarborArgs;
    if (cfg.prod) {
      // Loaded only for prod: dev evaluations stay light.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { buildProdTier } = require("./prod") as typeof import("./prod");
      const tier = buildProdTier({
        name,
        parent: this,
        config: cfg,
        prod: cfg.prod as ProdSettings,
        ca,
        harborNamespace: namespace,
        namespaceFor,
        provider,
        sources,
        // An external S3's keys come from secret config (parseConfig checked they are set).
        objectStoreCredentials:
          cfg.prod.objectStore.mode === "external"
            ? {
                accessKey: pulumi.output(args.secrets[OBJECT_STORE_SECRET_KEYS.accessKey]),
                secretKey: pulumi.output(args.secrets[OBJECT_STORE_SECRET_KEYS.secretKey]),
              }
            : undefined,
        ...(restored ? { restoredOwnerPassword: restored[RESTORED_SECRET_KEYS.databasePassword] } : {}),
        ...(preflight ? { preflight } : {}),
        upgradeGate,
      });
      harborArgs = {
        namespace,
        provider,
        chartVersion: cfg.upgrade.chartVersion,
        values: { ...values, ...tier.values },
        serverTls: tier.serverTls,
        dependsOn: tier.dependsOn,
        protectSecrets: cfg.protectData,
        sources,
        ...(restored
          ? {
              restoredSecrets: {
                secretKey: restored[RESTORED_SECRET_KEYS.harborSecretKey],
                adminPassword: restored[RESTORED_SECRET_KEYS.harborAdminPassword],
              },
            }
          : {}),
      };
      this.prod = tier.endpoints;
    } else {
      namespacePolicies(
        `${name}-harbor-netpol`,
        {
          namespace,
          flows: harborFlows({
            namespace: namespace.name,
            egress: cfg.egress,
            ...(cfg.proxy ? { proxy: cfg.proxy } : {}),
            net: cfg.networkPolicy,
            exposure: cfg.exposure,
            // The cluster's ClusterIssuer may solve HTTP-01 with pods in Harbor's namespace.
            acmeSolver: cfg.existingOperators.certManager?.clusterIssuer !== undefined,
          }),
          provider,
          siteCidrs,
        },
        { parent: this },
      );
      // Dev: a copy of the chart's database before a new chart version migrates it.
      const dump = internalDatabaseDump(
        `${name}-pre-upgrade-dump`,
        {
          namespace: namespace.name,
          chartVersion: cfg.upgrade.chartVersion,
          harborVersion: cfg.upgrade.harborVersion,
          storageClass: cfg.storage.nasClass ?? cfg.storage.localClass,
          size: cfg.upgrade.dumpStorageSize ?? "10Gi",
          timeoutSeconds: cfg.upgrade.backupTimeoutSeconds,
          namespaceReady: [namespace.namespace],
          gate: upgradeGate,
          images: sources.images,
        },
        { parent: this, provider },
      );
      const devValues = {
        ...values,
        // The cluster's prometheus-operator scrapes Harbor's metrics (its CRDs checked first).
        ...(cfg.existingOperators.prometheusOperator
          ? { monitoringLabels: cfg.observability.alerting.selectorLabels }
          : {}),
      };
      // Harbor's chart then renders a ServiceMonitor: the Release waits for its CRD's read.
      const monitorReads = readsFor(preflight, "prometheusOperator");
      const devArgs = {
        namespace,
        provider,
        chartVersion: cfg.upgrade.chartVersion,
        values: devValues,
        sources,
      };
      const issuer = cfg.existingOperators.certManager?.clusterIssuer;
      if (issuer) {
        // The cluster's cert-manager signs Harbor's server certificate (its own renewal).
        const secretName = "harbor-tls";
        const certificate = issuedCertificate(
          `${name}-server-cert`,
          { secretName, namespace: namespace.name, dnsNames: [cfg.hostname], issuer },
          {
            parent: this,
            provider,
            dependsOn: [
              namespace.namespace,
              ...readsFor(preflight, "certManager", "certManager.clusterIssuer"),
            ],
          },
        );
        harborArgs = {
          ...devArgs,
          serverTls: { secretName },
          dependsOn: [dump, certificate, ...monitorReads],
        };
      } else {
        const serverCert = new ServerCert(
          `${name}-server-cert`,
          { ca, dnsNames: [cfg.hostname], validityDays: cfg.tls.certValidityDays },
          { parent: this },
        );
        harborArgs = {
          ...devArgs,
          serverTls: { certPem: serverCert.certPem, keyPem: serverCert.privateKeyPem, caPem: ca.certPem },
          dependsOn: [dump, ...monitorReads],
        };
        this.serverCertificate = serverCert.notAfter.apply((notAfter) => ({
          notAfter,
          renewalDays: serverCert.renewalDays,
        }));
      }
    }

    const tokenKey = cfg.trivy.mode === "offline" ? undefined : cfg.trivy.gitHubTokenSecret;
    this.harbor = new Harbor(
      "harbor",
      { ...harborArgs, ...(tokenKey ? { trivyGitHubToken: args.secrets[tokenKey] } : {}) },
      { parent: this },
    );

    const logging = cfg.observability.logging;
    if (logging) {
      new FluentBit(
        `${name}-logging`,
        {
          logging,
          harborNamespace: cfg.namespace,
          credential: args.secrets[logging.credentialsSecret],
          quota: cfg.namespaceQuota,
          networkPolicy: cfg.networkPolicy,
          ...(cfg.proxy ? { proxy: cfg.proxy } : {}),
          // Like Harbor's: a ServiceMonitor only where the cluster runs prometheus-operator.
          ...(cfg.existingOperators.prometheusOperator
            ? { serviceMonitorLabels: cfg.observability.alerting.selectorLabels }
            : {}),
          ...(cfg.dashboards.enabled ? { dashboards: cfg.dashboards } : {}),
          provider,
          sources,
          siteCidrs,
        },
        { parent: this },
      );
    }
    const p = this.prod;
    // What the monitors, alerts and dashboards cover: dev is Harbor alone.
    const parts: MonitoredParts = p
      ? {
          harborNamespace: cfg.namespace,
          database: { namespace: p.database.namespace, cluster: p.database.clusterName },
          redis: { namespace: p.redis.namespace },
          certManager: { namespace: p.namespaces.certManager },
          ...(p.namespaces.minio
            ? { minio: { namespace: p.namespaces.minio, drMirror: p.dr?.mirrorCronJob !== undefined } }
            : {}),
          ...(p.dr ? { velero: { namespace: p.dr.veleroNamespace } } : {}),
          ...(p.dr?.drills ? { drills: p.dr.drills } : {}),
          ...(logging ? { fluentBit: { namespace: logging.namespace } } : {}),
        }
      : { harborNamespace: cfg.namespace };
    if (p) {
      new Monitoring(
        `${name}-monitoring`,
        {
          parts,
          alerting: cfg.observability.alerting,
          ruleNamespace: cfg.namespace,
          selectorLabels: cfg.observability.alerting.selectorLabels,
          redisPodLabels: REDIS_POD_LABELS,
          ...(p.dr?.mirrorCronJob ? { drMirrorPod: { labels: DR_MIRROR_PODS, port: "metrics" } } : {}),
          // The monitors and rules wait for the reads of their CRDs (a missing one fails the read).
          dependsOn: readsFor(preflight, "prometheusOperator"),
          provider,
        },
        { parent: this },
      );
    }
    if (cfg.dashboards.enabled) {
      dashboardsConfigMap(
        `${name}-dashboards`,
        {
          parts,
          config: cfg.dashboards,
          defaultNamespace: cfg.namespace,
          hostname: cfg.hostname,
          drMirrorRpoMinutes: cfg.observability.alerting.drMirrorRpoMinutes,
          // Harbor's namespace is created here; any other must exist already.
          ...(cfg.dashboards.namespace === undefined || cfg.dashboards.namespace === cfg.namespace
            ? { dependsOn: [namespace.namespace] }
            : {}),
          provider,
        },
        { parent: this },
      );
    }

    // Talks to Harbor's API as the admin this program created, trusting exactly the issuer of
    // Harbor's public certificate: the project CA where it signs it; with ACME, Node's default
    // trust (its roots plus NODE_EXTRA_CA_CERTS, how an operator trusts a staging or private
    // ACME CA), which a `ca` option would replace rather than extend.
    this.harborConfiguration = new HarborConfiguration(
      "harbor-config",
      {
        url: this.harbor.url,
        username: this.harbor.adminUsername,
        password: this.harbor.adminPassword,
        caCert: publicCertByProjectCa(cfg) ? ca.certPem : "",
        spec: cfg.harborConfig,
        secrets: args.secrets,
        harborReady: this.harbor.release,
        pullSecrets: { registry: cfg.hostname, provider },
      },
      { parent: this },
    );
    // Prod has prometheus-operator: robots that expire get alerts. Dev: the robotExpiry output.
    if (p && cfg.harborConfig.robots.some((r) => r.durationDays !== -1)) {
      robotExpiryRule(
        `${name}-robot-expiry`,
        {
          namespace: cfg.namespace,
          expiries: this.harborConfiguration.robotExpiries,
          alerting: cfg.observability.alerting,
          selectorLabels: cfg.observability.alerting.selectorLabels,
          provider,
        },
        { parent: this, dependsOn: readsFor(preflight, "prometheusOperator") },
      );
    }

    // After the Release and Harbor's configuration (the proxy-cache project it pulls through).
    if (cfg.upgrade.smokeTest) {
      const internalTls = cfg.prod !== undefined;
      this.smokeTest = smokeTestJob(
        `${name}-smoke-test`,
        {
          namespace: namespace.name,
          chartVersion: cfg.upgrade.chartVersion,
          harborVersion: cfg.upgrade.harborVersion,
          coreUrl: `${internalTls ? "https" : "http"}://harbor-core.${namespace.name}.svc`,
          credentialsSecret: this.harbor.credentialsSecretName,
          ...(internalTls && harborArgs.values.caBundleSecretName
            ? { caSecret: harborArgs.values.caBundleSecretName }
            : {}),
          ...(cfg.upgrade.smokeTest.proxy ? { proxy: cfg.upgrade.smokeTest.proxy } : {}),
          images: sources.images,
        },
        { parent: this, provider, dependsOn: [this.harbor.release, this.harborConfiguration] },
      );
    }

    this.url = this.harbor.url;
    this.adminUsername = this.harbor.adminUsername;
    this.adminPassword = this.harbor.adminPassword;
    this.caCert = ca.certPem;
    this.registerOutputs({ url: this.url, adminUsername: this.adminUsername, caCert: this.caCert });
  }
}
