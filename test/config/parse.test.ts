// Every config rule of the foundation: what a bad value gets, as the user sees it.
import { expect } from "chai";
import { KEYS, decodeStackConfig, parseConfig, type RawConfig } from "../../config";
import { evaluateStack, stackConfig } from "../harness";
import { configFailure } from "./failure";

const failure = (raw: RawConfig): string => configFailure(() => parseConfig(raw));

const dev = (over: RawConfig = {}): RawConfig => ({ ...stackConfig("dev"), ...over });
const prod = (over: RawConfig = {}): RawConfig => ({ ...stackConfig("prod"), ...over });

describe("config: parseConfig", () => {
  it("parses both stack files", () => {
    expect(parseConfig(dev()).topology).to.equal("dev");
    expect(parseConfig(prod()).topology).to.equal("prod");
  });

  it("applies the topology preset and lets explicit keys override it", () => {
    const d = parseConfig(dev());
    expect(d.harbor.replicas).to.equal(KEYS.replicas.defaults?.dev);
    expect(d.protectData).to.equal(false);
    expect(parseConfig(prod()).harbor.replicas).to.equal(3);
    expect(parseConfig(dev({ replicas: "2", trivyReplicas: 2 })).harbor).to.include({
      replicas: 2,
      trivyReplicas: 2,
    });
  });

  const cases: [string, RawConfig, string][] = [
    [
      "unknown topology",
      dev({ topology: "staging" }),
      'harbor-platform:topology = "staging": one of dev, prod',
    ],
    [
      "missing topology",
      dev({ topology: undefined }),
      "harbor-platform:topology = (unset): one of dev, prod",
    ],
    [
      "unknown key (a typo)",
      dev({ hostnmae: "x.example.com" }),
      'harbor-platform:hostnmae = "x.example.com": unknown key; did you mean `hostname`?',
    ],
    [
      "bad hostname",
      dev({ hostname: "Harbor_Local" }),
      'harbor-platform:hostname = "Harbor_Local": a lower-case DNS name with at least two labels',
    ],
    [
      "single-label hostname",
      dev({ hostname: "harbor" }),
      'harbor-platform:hostname = "harbor": a lower-case DNS name',
    ],
    [
      "missing hostname",
      dev({ hostname: undefined }),
      "harbor-platform:hostname = (unset): a lower-case DNS name",
    ],
    [
      "bad namespace",
      dev({ namespace: "Harbor" }),
      "harbor-platform:namespace = \"Harbor\": a Kubernetes name: lower-case letters, digits and '-', at most 63",
    ],
    [
      "unknown exposure",
      dev({ exposure: "nodePort" }),
      'harbor-platform:exposure = "nodePort": one of ingress, gateway, loadBalancer',
    ],
    [
      "bad ingress class",
      dev({ ingressClassName: "Traefik!" }),
      'harbor-platform:ingressClassName = "Traefik!": a Kubernetes name',
    ],
    [
      "gateway without parentRefs",
      dev({ ingressClassName: undefined, exposure: "gateway" }),
      "harbor-platform:gatewayParentRefs = (unset): required when exposure is gateway: at least one {name, namespace}",
    ],
    [
      "gateway parentRef with an unknown key",
      dev({
        ingressClassName: undefined,
        exposure: "gateway",
        gatewayParentRefs: [{ name: "gw", port: 443 }],
      }),
      "harbor-platform:gatewayParentRefs[0].port = 443: unknown key; allowed keys of gatewayParentRefs[0]: name, namespace, sectionName",
    ],
    [
      "gateway parentRefs not a list",
      dev({ ingressClassName: undefined, exposure: "gateway", gatewayParentRefs: { name: "gw" } }),
      'harbor-platform:gatewayParentRefs = {"name":"gw"}: a list',
    ],
    [
      "bad NAS class",
      dev({ nasStorageClass: "NFS" }),
      'harbor-platform:nasStorageClass = "NFS": a StorageClass name',
    ],
    [
      "bad local class",
      dev({ localStorageClass: "" }),
      'harbor-platform:localStorageClass = "": a StorageClass name',
    ],
    [
      "prod without a local storage class",
      prod({ localStorageClass: undefined }),
      "harbor-platform:localStorageClass = (unset): required for topology prod: the name of a StorageClass in the cluster",
    ],
    [
      "negative registry size",
      dev({ registryStorageSize: "-5Gi" }),
      'harbor-platform:registryStorageSize = "-5Gi": a positive size in whole bytes (a Kubernetes quantity), like 512Mi, 10Gi or 500G',
    ],
    [
      "zero trivy size",
      dev({ trivyStorageSize: "0Gi" }),
      'harbor-platform:trivyStorageSize = "0Gi": a positive size',
    ],
    [
      "decimal job log size",
      dev({ jobLogStorageSize: "1GB" }),
      'harbor-platform:jobLogStorageSize = "1GB": a positive size',
    ],
    [
      "bad database size",
      dev({ databaseStorageSize: "lots" }),
      'harbor-platform:databaseStorageSize = "lots": a positive size',
    ],
    ["bad redis size", dev({ redisStorageSize: 5 }), "harbor-platform:redisStorageSize = 5: a positive size"],
    ["replicas below 1", dev({ replicas: 0 }), "harbor-platform:replicas = 0: an integer from 1 to 10"],
    [
      "replicas not a number",
      dev({ replicas: "three" }),
      'harbor-platform:replicas = "three": an integer from 1 to 10',
    ],
    [
      "one replica in prod",
      prod({ replicas: 1 }),
      "harbor-platform:replicas = 1: at least 2 in prod: one replica cannot survive a node loss",
    ],
    [
      "trivy replicas below 1",
      dev({ trivyReplicas: -1 }),
      "harbor-platform:trivyReplicas = -1: an integer from 1 to 10",
    ],
    [
      "unknown log level",
      dev({ logLevel: "verbose" }),
      'harbor-platform:logLevel = "verbose": one of debug, info, warning, error, fatal',
    ],
    [
      "bad purge age",
      dev({ uploadPurgeAge: "7 days" }),
      'harbor-platform:uploadPurgeAge = "7 days": a positive duration like 24h',
    ],
    [
      "CA validity too short",
      dev({ caValidityDays: 1 }),
      "harbor-platform:caValidityDays = 1: an integer from 30 to 3653 (the certificate-lifetime policy's limit for a CA)",
    ],
    [
      "cert validity too long",
      dev({ certValidityDays: 3650 }),
      "harbor-platform:certValidityDays = 3650: an integer from 1 to 825",
    ],
    [
      "namespace quota with an unknown key",
      dev({ namespaceQuota: { storage: "1Ti", cpu: "4" } }),
      'harbor-platform:namespaceQuota.cpu = "4": unknown key; allowed keys of namespaceQuota: storage, persistentVolumeClaims',
    ],
    [
      "negative namespace quota",
      dev({ namespaceQuota: { storage: "-1Ti" } }),
      'harbor-platform:namespaceQuota.storage = "-1Ti": a positive size',
    ],
    [
      "protectData not a boolean",
      dev({ protectData: "yes" }),
      'harbor-platform:protectData = "yes": true or false',
    ],
    [
      "prod without protection",
      prod({ protectData: false }),
      "harbor-platform:protectData = false: true in prod: data-bearing resources stay protected",
    ],
  ];
  for (const [what, raw, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(failure(raw)).to.contain(message);
    });
  }
});

describe("config: decodeStackConfig", () => {
  it("keeps the project's keys and aws:region, and decodes structured values", () => {
    const raw = decodeStackConfig(
      {
        "harbor-platform:replicas": "3",
        "harbor-platform:gatewayParentRefs": '[{"name":"gw"}]',
        "aws:region": "eu-west-1",
        "aws:profile": "ops",
        "kubernetes:context": "prod",
      },
      "harbor-platform",
    );
    expect(raw).to.deep.equal({
      replicas: "3",
      gatewayParentRefs: [{ name: "gw" }],
      "aws:region": "eu-west-1",
    });
  });

  it("names the key of a broken structured value", () => {
    expect(() =>
      decodeStackConfig({ "harbor-platform:namespaceQuota": "{oops" }, "harbor-platform"),
    ).to.throw('harbor-platform:namespaceQuota = "{oops": valid YAML/JSON structured config');
  });
});

describe("config: the program stops before registering anything", () => {
  it("surfaces the one-line message and registers no resource", async () => {
    let failure: (Error & { registered?: unknown[] }) | undefined;
    try {
      await evaluateStack("dev", { replicas: 0 });
    } catch (err) {
      failure = err as Error & { registered?: unknown[] };
    }
    // Stack config arrives as strings, so the value is shown as the user wrote it in YAML.
    expect(failure?.message).to.equal('harbor-platform:replicas = "0": an integer from 1 to 10');
    expect(failure?.registered).to.deep.equal([]);
  });
});
