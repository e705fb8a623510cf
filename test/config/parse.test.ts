// Every config rule of the foundation: what a bad value gets, as the user sees it.
import { expect } from "chai";
import { ConfigError, KEYS, decodeStackConfig, parseConfig, type RawConfig } from "../../config";
import { StackSecret, evaluateStack, stackConfig } from "../harness";
import { configFailure } from "./failure";
import { MAX_MESSAGE } from "../../config/validate";

const failure = (raw: RawConfig): string => configFailure(() => parseConfig(raw));

const dev = (over: RawConfig = {}): RawConfig => ({ ...stackConfig("dev"), ...over });
const prod = (over: RawConfig = {}): RawConfig => ({ ...stackConfig("prod"), ...over });

const ref = (secretKey: string) => ({ accessSecret: { secretKey } });
const OIDC = {
  settings: {
    auth: {
      mode: "oidc",
      oidc: {
        endpoint: "https://sso.example.com",
        clientId: "harbor",
        clientSecret: { secretKey: "oidcClientSecret" },
      },
    },
  },
};
const gcr = {
  registries: [{ name: "g", type: "google-gcr", url: "https://gcr.io", credential: ref("gcrKey") }],
};

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
      // The certificate stops verifying the day the CA expires.
      "a certificate outliving its CA",
      dev({ certValidityDays: 90, caValidityDays: 30 }),
      "harbor-platform:certValidityDays = 90: at most caValidityDays (30): a certificate must not outlive the CA that issues it; lower it or raise caValidityDays",
    ],
    [
      "a CA shortened below the certificates' default validity",
      dev({ caValidityDays: 30 }),
      "harbor-platform:certValidityDays = 397: at most caValidityDays (30)",
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
    // What the mandatory policy pack would refuse at preview: the rows of
    // test/policy/broken-configs.ts that used to set these now mutate the registered resources.
    [
      "a Harbor project with an unlimited quota",
      dev({ harborConfig: { projects: [{ name: "unlimited", quota: -1 }] } }),
      "harbor-platform:harborConfig.projects[0].quota = -1: a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor's limit); the mandatory policy harbor-project-quota refuses -1 (unlimited)",
    ],
    [
      "an unlimited default project quota",
      dev({ harborConfig: { settings: { projectQuota: -1 } } }),
      "harbor-platform:harborConfig.settings.projectQuota = -1: a storage quota: a size like 500Mi, 100Gi or 2Ti, or a byte count, at most 1Pi (Harbor's limit); the mandatory policy harbor-default-quota refuses -1 (unlimited)",
    ],
    [
      "Harbor without GC",
      dev({ harborConfig: { gc: false } }),
      "harbor-platform:harborConfig.gc = false: a GC schedule: the mandatory policy harbor-gc-schedule refuses a stack without one",
    ],
    [
      "a monthly GC",
      dev({ harborConfig: { gc: { cron: "0 0 3 1 * *", deleteUntagged: false } } }),
      'harbor-platform:harborConfig.gc.cron = "0 0 3 1 * *": a GC schedule that runs at least every 7 days: the mandatory policy harbor-gc-schedule refuses this one, which can leave 31 days between runs',
    ],
    [
      "a GC keeping untagged artifacts",
      dev({ harborConfig: { gc: { deleteUntagged: "false" } } }),
      'harbor-platform:harborConfig.gc.deleteUntagged = "false": true: the mandatory policy harbor-gc-schedule refuses a GC that keeps untagged artifacts',
    ],
    [
      "a misspelt field inside harborConfig",
      dev({ harborConfig: { projects: [{ name: "apps", qouta: "10Gi" }] } }),
      'harbor-platform:harborConfig.projects[0].qouta = "10Gi": unknown key; did you mean `quota`?',
    ],
    // Secrets harborConfig names: one line of text, or the key file the registry type reads.
    [
      "an OIDC login whose client secret is not set",
      dev({ harborConfig: OIDC }),
      "harbor-platform:oidcClientSecret = (unset): required by harborConfig.settings.auth.oidc.clientSecret: a secret: set it with pulumi config set --secret oidcClientSecret <value>",
    ],
    [
      "an OIDC client secret with a pasted newline",
      dev({ harborConfig: OIDC, oidcClientSecret: "s3cr3t\n" }),
      "harbor-platform:oidcClientSecret = (secret): a non-empty secret without control characters (a pasted trailing newline breaks the login)",
    ],
    [
      "a Google registry key that is not its key file",
      dev({ harborConfig: gcr, gcrKey: "AIzaSy-not-a-key-file" }),
      "harbor-platform:gcrKey = (secret): the google-gcr key file: a JSON object with client_email and private_key",
    ],
    [
      "a Quay credential without its password",
      dev({
        harborConfig: {
          registries: [{ name: "q", type: "quay", url: "https://quay.io", credential: ref("quayKey") }],
        },
        quayKey: '{"account_name": "me"}',
      }),
      "harbor-platform:quayKey = (secret): the quay key file: a JSON object with account_name and docker_cli_password",
    ],
  ];
  for (const [what, raw, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(failure(raw)).to.contain(message);
    });
  }

  it("accepts the secrets harborConfig names in the form Harbor reads them", () => {
    const key = JSON.stringify({
      type: "service_account",
      client_email: "h@p.iam.gserviceaccount.com",
      private_key: "-----BEGIN PRIVATE KEY-----\n...",
    });
    const c = parseConfig(
      dev({ harborConfig: { ...OIDC, ...gcr }, oidcClientSecret: "s3cr3t", gcrKey: key }),
    );
    expect(c.secretKeys).to.deep.equal(["oidcClientSecret", "gcrKey"]);
    expect(c.harborConfig.registries[0].credential?.accessKey).to.equal("_json_key");
  });
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

  // Text on the command line (`pulumi config set dr '{...}'`) reaches the program as a string;
  // only JSON is decoded, so it gets the same hint as any structured key set as text.
  const PATH_HINT = (key: string) =>
    `structured config (an object or list); set it in Pulumi.<stack>.yaml, or one field at a time with pulumi config set --path '${key}.<field>' <value>`;

  it("names the key of a broken structured value, and says how to set it", () => {
    expect(
      configFailure(() =>
        decodeStackConfig({ "harbor-platform:namespaceQuota": "{oops" }, "harbor-platform"),
      ),
    ).to.equal(
      `harbor-platform:namespaceQuota = "{oops": ${PATH_HINT("namespaceQuota")}; this text is not valid JSON`,
    );
  });

  it("gives YAML flow text set from the CLI the --path hint, as for any text", async () => {
    let message: string | undefined;
    try {
      await evaluateStack("prod", { dr: "{bucketName: x}" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.equal(
      `harbor-platform:dr = "{bucketName: x}": ${PATH_HINT("dr")}; this text is not valid JSON`,
    );
    expect(failure(dev({ namespaceQuota: "storage: 1Ti" }))).to.equal(
      `harbor-platform:namespaceQuota = "storage: 1Ti": ${PATH_HINT("namespaceQuota")}`,
    );
  });
});

describe("config: an error stays one bounded line", () => {
  it("bounds the key, the value and what is allowed, all long at once", () => {
    const message = configFailure(() => {
      throw new ConfigError(`k${"e".repeat(299)}`, `v${"a".repeat(299)}`, `a${"l".repeat(399)}`);
    });
    // 120 for the qualified key, 120 for the value, 300 for what is allowed, and the separators.
    expect(message).to.have.length.of.at.most(MAX_MESSAGE);
    expect(message).to.match(/^harbor-platform:ke+\.\.\. = "va+\.\.\.: al+\.\.\.$/);
    expect(message.split(" = ")[0]).to.have.length(120);
    expect(message.split(": a")[1]).to.have.length(300 - 1);
  });

  it("bounds an unknown key the user typed at length", () => {
    const message = failure(dev({ [`x${"y".repeat(299)}`]: "z".repeat(300) }));
    expect(message).to.have.length.of.at.most(MAX_MESSAGE);
    expect(message).to.match(/^harbor-platform:xy+\.\.\. = "z+\.\.\.: unknown key; known keys: topology, /);
  });

  it("escapes control and line-separator characters, which JSON.stringify leaves raw", () => {
    expect(failure(dev({ namespace: "a\u2028b\u0085c\u202ed" }))).to.equal(
      String.raw`harbor-platform:namespace = "a\u2028b\u0085c\u202ed": a Kubernetes name: lower-case letters, digits and '-', at most 63`,
    );
    expect(failure(dev({ "host\u2029name": "x" }))).to.match(
      /^harbor-platform:host\\u2029name = "x": unknown key/,
    );
  });
});

describe("config: a value stored as a secret is never shown", () => {
  /** The program's one line for a stack (through config/stack.ts readStackConfig), checked for `hidden`. */
  const refusal = async (stack: string, overrides: Record<string, unknown>, hidden: readonly string[]) => {
    let message = "";
    try {
      await evaluateStack(stack, overrides);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n"), message).to.have.length(1);
    for (const text of hidden) expect(message).to.not.contain(text);
    return message;
  };

  it("a key the schema does not call secret, stored with --secret", async () => {
    expect(await refusal("dev", { hostname: new StackSecret("SECRET_host_VALUE") }, ["SECRET"])).to.equal(
      "harbor-platform:hostname = (secret): a lower-case DNS name with at least two labels, like registry.example.com",
    );
  });

  it("a field stored with --secret, refused by the schema or folded twice", async () => {
    const database = { backupRetention: "30d", backupSchedule: "0 0 2 * * *" };
    expect(
      await refusal("prod", { database, "database.instances": new StackSecret("SECRET_7") }, ["SECRET"]),
    ).to.equal(
      "harbor-platform:database.instances = (secret): an integer from 3 to 9: a primary and two standbys keep a quorum after a node loss",
    );
    expect(await refusal("prod", { "database.instances": new StackSecret("SECRET_7") }, ["SECRET"])).to.equal(
      "harbor-platform:database.instances = (secret): set once: database already sets instances",
    );
  });

  it("a value refused by a cross-key rule, and another secret's value quoted by one", async () => {
    expect(await refusal("prod", { replicas: new StackSecret("1") }, [])).to.equal(
      "harbor-platform:replicas = (secret): at least 2 in prod: one replica cannot survive a node loss",
    );
    const endpoint = "syslog-SECRET.example.com:514";
    expect(
      await refusal(
        "prod",
        {
          auditLogSyslog: new StackSecret(endpoint),
          harborConfig: { settings: { auditLogForwardEndpoint: "other.example.com:514" } },
        },
        ["SECRET"],
      ),
    ).to.equal(
      'harbor-platform:harborConfig.settings.auditLogForwardEndpoint = "other.example.com:514": leave it unset or equal to auditLogSyslog ((secret)); auditLogSyslog already sets it',
    );
  });

  it("a structured key's text, whether not JSON or with a field the schema lacks", async () => {
    expect(await refusal("dev", { namespaceQuota: new StackSecret("{SECRET_json") }, ["SECRET"])).to.equal(
      "harbor-platform:namespaceQuota = (secret): structured config (an object or list); set it in Pulumi.<stack>.yaml, or one field at a time with pulumi config set --path 'namespaceQuota.<field>' <value>; this text is not valid JSON",
    );
    // A field name inside a secret came from it: named neither in full nor by a did-you-mean.
    expect(
      await refusal("dev", { namespaceQuota: new StackSecret('{"SECRETFIELD": "1Ti"}') }, ["SECRET"]),
    ).to.equal(
      "harbor-platform:namespaceQuota = (secret): a field not allowed here (not named: it is part of the secret); allowed fields: storage, persistentVolumeClaims",
    );
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
