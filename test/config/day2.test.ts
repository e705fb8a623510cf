// The config of guarded upgrades, existing operators and Harbor's own entry point: what each key
// gives the program, and the one line a wrong value gets (through the Pulumi CLI's config rules).
import { expect } from "chai";
import { ConfigError, parseConfig, type RawConfig } from "../../config";
import { unverifiedChartWarning } from "../../config/upgrade";
import { charts } from "../../versions";
import { stackConfig } from "../harness";

const parse = (stack: "dev" | "prod", over: RawConfig = {}) => parseConfig(stackConfig(stack, over));

function failure(stack: "dev" | "prod", over: RawConfig): string {
  try {
    parse(stack, over);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n")).to.have.length(1, "one line");
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("config: harborChartVersion and harborUpgrade", () => {
  it("deploys the pinned chart by default, with a smoke test, backups in 2h, dev's dumps on 10Gi", () => {
    const dev = parse("dev").upgrade;
    expect(dev).to.deep.equal({
      chartVersion: charts.harbor.version,
      harborVersion: "2.15.2",
      verified: true,
      backupTimeoutSeconds: 7200,
      smokeTest: {},
      dumpStorageSize: "10Gi",
    });
    expect(unverifiedChartWarning(dev)).to.equal(undefined);
    // Prod declares the Docker Hub proxy cache: the smoke test pulls through it.
    expect(parse("prod").upgrade.smokeTest).to.deep.equal({
      proxy: { project: "dockerhub", image: "library/hello-world:latest" },
    });
    expect(parse("prod").upgrade).to.not.have.property("dumpStorageSize");
  });

  it("deploys another chart version with a warning that it is outside the verified set", () => {
    const u = parse("prod", { harborChartVersion: "1.19.4" }).upgrade;
    expect(u).to.include({ chartVersion: "1.19.4", harborVersion: "2.15.4", verified: false });
    expect(unverifiedChartWarning(u)).to.equal(
      "harborChartVersion 1.19.4 is outside the verified set (1.19.2): its values are not checked against that chart's values.yaml; the pre-upgrade backup and the smoke test still run",
    );
  });

  it("takes the smoke test's proxy image, a backup time limit, and turns the smoke test off", () => {
    const u = parse("prod", {
      harborUpgrade: { backupTimeout: "30m", smokeProxyImage: "library/busybox:1.37" },
    }).upgrade;
    expect(u.backupTimeoutSeconds).to.equal(1800);
    expect(u.smokeTest?.proxy).to.deep.equal({ project: "dockerhub", image: "library/busybox:1.37" });
    expect(parse("dev", { harborUpgrade: { smokeTest: false } }).upgrade).to.not.have.property("smokeTest");
  });

  const cases: [string, "dev" | "prod", RawConfig, string][] = [
    [
      "a known-bad chart (Harbor 2.15.0's Docker Hub proxy cache)",
      "prod",
      { harborChartVersion: "1.19.0" },
      'harbor-platform:harborChartVersion = "1.19.0": chart 1.19.0 is known bad: Harbor 2.15.0\'s proxy cache cannot pull from Docker Hub (goharbor/harbor #23025, fixed in 2.15.1)',
    ],
    [
      "the chart with a regression",
      "dev",
      { harborChartVersion: "1.19.3" },
      'harbor-platform:harborChartVersion = "1.19.3": chart 1.19.3 is known bad: chart 1.19.3 carries a regression; 1.19.4 has the same security fixes',
    ],
    [
      "a Harbor release with no documented upgrade path here",
      "prod",
      { harborChartVersion: "1.20.0" },
      'harbor-platform:harborChartVersion = "1.20.0": no documented upgrade path to Harbor 2.16 is known here (documented: 2.15, 2.14, 2.13, 2.12)',
    ],
    [
      "not a Harbor chart version",
      "prod",
      { harborChartVersion: "v1.19.2" },
      'harbor-platform:harborChartVersion = "v1.19.2": a Harbor chart version like 1.19.2',
    ],
    [
      "dev's dump volume in prod",
      "prod",
      { harborUpgrade: { dumpStorageSize: "20Gi" } },
      'harbor-platform:harborUpgrade.dumpStorageSize = "20Gi": only used by topology dev; prod backs up with CloudNativePG',
    ],
    [
      "a proxy image without a proxy-cache project",
      "dev",
      { harborUpgrade: { smokeProxyImage: "library/busybox:1.37" } },
      'harbor-platform:harborUpgrade.smokeProxyImage = "library/busybox:1.37": only used by the smoke test with a proxy-cache project declared in harborConfig.projects',
    ],
    [
      "another chart version while images come from the site's mirror (it holds the pin's images)",
      "dev",
      { harborChartVersion: "1.19.4", mirror: { registry: "harbor.site.example/mirror" } },
      'harbor-platform:harborChartVersion = "1.19.4": the pinned 1.19.2 while mirror.registry is set: the mirror holds the pinned chart\'s images; move the pin (versions/) to upgrade an air-gapped site',
    ],
    [
      "a backup time limit that is no duration",
      "prod",
      { harborUpgrade: { backupTimeout: "2 hours" } },
      'harbor-platform:harborUpgrade.backupTimeout = "2 hours": a positive duration like 24h, 30m or 1h30m',
    ],
  ];
  for (const [what, stack, over, message] of cases)
    it(`refuses ${what}`, () => expect(failure(stack, over)).to.equal(message));
});

describe("config: existingOperators", () => {
  it("installs everything by default; prod relies on prometheus-operator, dev does not", () => {
    expect(parse("dev").existingOperators).to.deep.equal({ prometheusOperator: false });
    expect(parse("prod").existingOperators).to.deep.equal({ prometheusOperator: true });
  });

  it("names the operators the cluster runs, with their namespaces and whether the plugin is missing", () => {
    const existing = parse("prod", {
      existingOperators: {
        certManager: { clusterIssuer: "corp-ca" },
        cloudnativePg: { namespace: "cnpg-system", barmanCloudPlugin: "install" },
        velero: { namespace: "velero" },
      },
    }).existingOperators;
    expect(existing).to.deep.equal({
      certManager: { namespace: "cert-manager", clusterIssuer: "corp-ca" },
      cloudnativePg: { namespace: "cnpg-system", installPlugin: true },
      velero: { namespace: "velero" },
      prometheusOperator: true,
    });
    expect(
      parse("dev", {
        existingOperators: { certManager: { clusterIssuer: "letsencrypt" }, prometheusOperator: true },
      }).existingOperators,
    ).to.deep.equal({
      certManager: { namespace: "cert-manager", clusterIssuer: "letsencrypt" },
      prometheusOperator: true,
    });
  });

  const cases: [string, "dev" | "prod", RawConfig, string][] = [
    [
      "CloudNativePG in dev",
      "dev",
      { existingOperators: { cloudnativePg: { namespace: "cnpg-system" } } },
      'harbor-platform:existingOperators.cloudnativePg = {"namespace":"cnpg-system"}: only used by topology prod; dev runs the chart\'s internal database',
    ],
    [
      "Velero in dev",
      "dev",
      { existingOperators: { velero: { namespace: "velero" } } },
      'harbor-platform:existingOperators.velero = {"namespace":"velero"}: only used by topology prod; dev has no backups to Velero',
    ],
    [
      "cert-manager in dev without the issuer dev would use it for",
      "dev",
      { existingOperators: { certManager: {} } },
      "harbor-platform:existingOperators.certManager.clusterIssuer = (unset): required in dev: the ClusterIssuer that signs Harbor's server certificate (dev uses cert-manager for nothing else)",
    ],
    [
      "prod without prometheus-operator",
      "prod",
      { existingOperators: { prometheusOperator: false } },
      "harbor-platform:existingOperators.prometheusOperator = false: true in prod: its monitors and alerts are prometheus-operator resources (the program does not install it)",
    ],
    [
      "two issuers of the public certificate",
      "prod",
      {
        certManager: { issuer: "acme", acme: { email: "ops@example.com" } },
        existingOperators: { certManager: { clusterIssuer: "corp-ca" } },
      },
      'harbor-platform:existingOperators.certManager.clusterIssuer = "corp-ca": unset while certManager.issuer is acme: Harbor\'s public certificate has one issuer',
    ],
    [
      "an operator in Harbor's own namespace",
      "prod",
      { existingOperators: { velero: { namespace: "harbor" } } },
      'harbor-platform:existingOperators.velero.namespace = "harbor": the namespace the operator already runs in, not one this program creates (harbor, cert-manager, cnpg-system, harbor-db, harbor-redis, minio, harbor-dr-drill, logging)',
    ],
    [
      // Every namespace the program creates (config/prod.ts createdNamespaces), the
      // operators' own left out when the cluster runs them.
      "an operator in the database's namespace",
      "prod",
      { existingOperators: { cloudnativePg: { namespace: "harbor-db" }, velero: { namespace: "velero" } } },
      'harbor-platform:existingOperators.cloudnativePg.namespace = "harbor-db": the namespace the operator already runs in, not one this program creates (harbor, cert-manager, harbor-db, harbor-redis, minio, harbor-dr-drill, logging)',
    ],
    [
      "a misspelt field",
      "prod",
      { existingOperators: { cloudnativePg: { namespace: "cnpg-system", barmanCloudPlugn: "install" } } },
      'harbor-platform:existingOperators.cloudnativePg.barmanCloudPlugn = "install": unknown key; did you mean `barmanCloudPlugin`?',
    ],
  ];
  for (const [what, stack, over, message] of cases)
    it(`refuses ${what}`, () => expect(failure(stack, over)).to.equal(message));
});

/** exposure loadBalancer, without the stack files' ingress class. */
const LB = { exposure: "loadBalancer", ingressClassName: undefined } as const;

describe("config: loadBalancer (Harbor's own entry point)", () => {
  it("keeps the cluster's ingress as the default entry point", () => {
    expect(parse("prod").exposure).to.deep.equal({ kind: "ingress", className: "traefik" });
  });

  it("gives exposure loadBalancer its fixed address and what announces it", () => {
    expect(parse("prod", { ...LB, loadBalancer: { addresses: ["192.0.2.10"] } }).exposure).to.deep.equal({
      kind: "loadBalancer",
      entryPoint: { addresses: ["192.0.2.10"], announcer: "metallb", sourceRanges: [] },
    });
    expect(
      parse("dev", {
        ...LB,
        loadBalancer: {
          addresses: ["2001:db8::10"],
          announcer: "kube-vip",
          sourceRanges: ["10.0.0.0/8"],
        },
      }).exposure,
    ).to.deep.equal({
      kind: "loadBalancer",
      entryPoint: {
        addresses: ["2001:db8::10"],
        announcer: "kube-vip",
        sourceRanges: ["10.0.0.0/8"],
      },
    });
  });

  const cases: [string, RawConfig, string][] = [
    [
      "it with the cluster's ingress",
      { loadBalancer: { addresses: ["192.0.2.10"] } },
      'harbor-platform:loadBalancer = {"addresses":["192.0.2.10"]}: only used when exposure is loadBalancer (it is ingress); remove it',
    ],
    [
      // harbor-helm 1.19.2 templates/nginx/service.yaml: the LoadBalancer Service carries no
      // ipFamilyPolicy (SingleStack by default), so it cannot take an IPv4 and IPv6 pair.
      "an IPv4 and IPv6 pair (the chart's LoadBalancer Service is single-stack)",
      { ...LB, loadBalancer: { addresses: ["192.0.2.10", "2001:db8::10"] } },
      `harbor-platform:loadBalancer.addresses = ["192.0.2.10","2001:db8::10"]: one address: Harbor's chart makes the LoadBalancer Service single-stack (no ipFamilyPolicy), so no IPv4 and IPv6 pair`,
    ],
    [
      "two addresses of one family",
      { ...LB, loadBalancer: { addresses: ["192.0.2.10", "192.0.2.11"] } },
      `harbor-platform:loadBalancer.addresses = ["192.0.2.10","192.0.2.11"]: one address: Harbor's chart makes the LoadBalancer Service single-stack (no ipFamilyPolicy), so no IPv4 and IPv6 pair`,
    ],
    [
      "a MetalLB pool for kube-vip",
      {
        ...LB,
        loadBalancer: { announcer: "kube-vip", addresses: ["192.0.2.10"], addressPool: "public" },
      },
      'harbor-platform:loadBalancer.addressPool = "public": only used with announcer metallb',
    ],
    [
      "an announcer with no address to announce",
      { ...LB, loadBalancer: { announcer: "kube-vip" } },
      'harbor-platform:loadBalancer.announcer = "kube-vip": only used with loadBalancer.addresses (without them the load balancer picks the address)',
    ],
    [
      "an address that is none",
      { ...LB, loadBalancer: { addresses: ["192.0.2.300"] } },
      'harbor-platform:loadBalancer.addresses[0] = "192.0.2.300": an IPv4 or IPv6 address',
    ],
  ];
  for (const [what, over, message] of cases)
    it(`refuses ${what}`, () => expect(failure("prod", over)).to.equal(message));
});
