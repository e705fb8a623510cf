import { expect } from "chai";
import { secretConfigKeys } from "../../config/observability";
import { ConfigError } from "../../config/validate";
import { PROD_DR } from "../dr/fixtures";
import { parseDr, parseObservability, syslogEndpoint } from "../config/sections";

/** The one-line message of the ConfigError `fn` throws. */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const text = (err as Error).message;
    expect(text.split("\n"), text).to.have.length(1);
    return text;
  }
  throw new Error("expected a ConfigError");
}

const es = {
  output: "es",
  endpoint: "https://elk.example.com:9243",
  auth: "basic",
  username: "harbor-shipper",
  credentialsSecret: "elkPassword",
};

describe("parseObservability", () => {
  it("leaves logging off in dev by default and applies alerting defaults", () => {
    const cfg = parseObservability({}, "dev");
    expect(cfg.logging).to.equal(undefined);
    expect(cfg.alerting.drMirrorRpoMinutes).to.equal(60);
    expect(secretConfigKeys(cfg)).to.deep.equal([]);
  });

  it("parses an es endpoint with basic auth and names the secret key to read", () => {
    const cfg = parseObservability({ logging: es, elkPassword: "s3cret" }, "prod");
    expect(cfg.logging).to.include({
      host: "elk.example.com",
      port: 9243,
      index: "harbor",
      bufferLimit: "5Gi",
    });
    expect(secretConfigKeys(cfg)).to.deep.equal(["elkPassword"]);
  });

  it("parses opensearch with sigv4 and the audit syslog endpoint", () => {
    const cfg = parseObservability(
      {
        logging: {
          output: "opensearch",
          endpoint: "https://search-logs.eu-west-1.es.amazonaws.com",
          auth: "sigv4",
          awsRegion: "eu-west-1",
          credentialsSecret: "elkAwsKeys",
        },
        elkAwsKeys: JSON.stringify({
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        }),
        auditLogSyslog: "syslog.example.com:514",
      },
      "prod",
    );
    expect(cfg.logging).to.include({ port: 443, awsRegion: "eu-west-1" });
    expect(cfg.auditLogSyslog).to.deep.equal({
      host: "syslog.example.com",
      port: 514,
      endpoint: "syslog.example.com:514",
    });
  });

  const bad: Array<[string, Record<string, unknown>, "dev" | "prod", string]> = [
    [
      "prod without logging",
      {},
      "prod",
      "harbor-platform:logging = (unset): required for topology prod: {output, endpoint (https), auth, credentialsSecret}",
    ],
    [
      "http endpoint",
      { logging: { ...es, endpoint: "http://elk.example.com" } },
      "dev",
      'harbor-platform:logging.endpoint = "http://elk.example.com": an https:// URL',
    ],
    [
      "missing credential secret",
      { logging: es },
      "dev",
      "harbor-platform:elkPassword = (unset): required by logging.credentialsSecret: a secret: set it with pulumi config set --secret elkPassword <value>",
    ],
    [
      "no credentialsSecret key",
      { logging: { ...es, credentialsSecret: undefined } },
      "dev",
      "harbor-platform:logging.credentialsSecret = (unset): the name of the stack's secret config key holding the credential, like elkPassword",
    ],
    [
      "sigv4 on es",
      { logging: { ...es, auth: "sigv4" } },
      "dev",
      'harbor-platform:logging.auth = "sigv4": one of basic, apiKey',
    ],
    [
      "bad syslog endpoint",
      { auditLogSyslog: "tcp://syslog:514" },
      "dev",
      'harbor-platform:auditLogSyslog = "tcp://syslog:514": host:port, like syslog.example.com:514 (port 1-65535, no scheme)',
    ],
    [
      "typo in alerting",
      { alerting: { rpo: 5 } },
      "dev",
      "harbor-platform:alerting.rpo = 5: unknown key; allowed keys of alerting: runbookBaseUrl, drMirrorRpoMinutes, gcMaxAgeHours, authFailuresPerSecond, storageUsedPercent, replicationLagSeconds",
    ],
  ];
  for (const [what, raw, topology, message] of bad) {
    it(`refuses ${what} with one line`, () => {
      expect(() => parseObservability(raw, topology)).to.throw(message);
      try {
        parseObservability(raw, topology);
      } catch (e) {
        expect((e as Error).message).to.not.include("\n");
      }
    });
  }

  it("refuses port 0 and out of range ports", () => {
    expect(() => syslogEndpoint("auditLogSyslog", "syslog:70000")).to.throw("host:port");
    expect(() => syslogEndpoint("auditLogSyslog", "syslog:0")).to.throw("host:port");
  });

  it("reads [IPv6]:port for the audit log and gives Harbor the same text", () => {
    const cfg = parseObservability({ auditLogSyslog: "[fd00::5]:514" }, "dev");
    expect(cfg.auditLogSyslog).to.deep.equal({ host: "fd00::5", port: 514, endpoint: "[fd00::5]:514" });
    for (const bad of [
      "fd00::5:514",
      "[fd00::5]",
      "[fd00::5]:65536",
      "[10.0.0.1]:514",
      "syslog.example.com:0",
    ])
      expect(
        message(() => parseObservability({ auditLogSyslog: bad }, "dev")),
        bad,
      ).to.match(/^harbor-platform:auditLogSyslog = ".*": host:port/);
  });

  it("refuses an index prefix whose daily indices Elasticsearch would refuse", () => {
    const at = (index: string) => parseObservability({ logging: { ...es, index }, elkPassword: "pw" }, "dev");
    expect(at("a".repeat(244)).logging?.index).to.have.length(244);
    for (const index of ["a".repeat(245), "Harbor", "_harbor", "har bor", "harbor*"])
      expect(
        message(() => at(index)),
        index,
      ).to.match(/^harbor-platform:logging\.index = .*: a lower-case index name prefix/);
  });

  it("refuses a basic-auth user Fluent Bit or HTTP would mangle", () => {
    for (const username of ["ops:team", "${ELK_PASSWORD}", " ops", "ops "])
      expect(
        message(() => parseObservability({ logging: { ...es, username }, elkPassword: "pw" }, "dev")),
        username,
      ).to.match(/^harbor-platform:logging\.username = .*: a user name without ':'/);
  });

  it("refuses control characters in every string that reaches a generated file", () => {
    const withLogging = (logging: Record<string, unknown>) => ({
      logging: { ...es, ...logging },
      elkPassword: "pw",
    });
    const cases: [string, Record<string, unknown>][] = [
      ["logging.username", withLogging({ username: "ops\n[OUTPUT]" })],
      ["logging.index", withLogging({ index: "harbor\n" })],
      ["logging.endpoint", withLogging({ endpoint: "https://elk.example.com/\nx" })],
      ["logging.credentialsSecret", withLogging({ credentialsSecret: "elk\tPassword" })],
      ["logging.namespace", withLogging({ namespace: "logging\n" })],
      ["auditLogSyslog", { auditLogSyslog: "syslog.example.com:514\n" }],
      ["alerting.runbookBaseUrl", { alerting: { runbookBaseUrl: "https://runbooks.example.com/\r\nx" } }],
      ["alerting.selectorLabels.team", { alerting: { selectorLabels: { team: "ops\u2028" } } }],
    ];
    for (const [key, raw] of cases)
      expect(
        message(() => parseObservability(raw, "dev")),
        key,
      ).to.match(new RegExp(`^harbor-platform:${key.replace(/\./g, "\\.")} = `));
    // The DR strings that reach the mirror script, the barman configuration and rclone.
    const restore = {
      enabled: true,
      source: { bucket: "acme-harbor-dr", region: "eu-central-1", serverName: "harbor-pg\n" },
    };
    expect(message(() => parseDr({ ...PROD_DR, restore }, "prod", "eu-central-1"))).to.match(
      /^harbor-platform:restore\.source\.serverName = /,
    );
    const approveDeletes = { bucket: "harbor-registry\n", count: 1, until: "2026-03-01T18:00:00Z" };
    expect(
      message(() => parseDr({ ...PROD_DR, dr: { ...PROD_DR.dr, approveDeletes } }, "prod", "eu-central-1")),
    ).to.match(/^harbor-platform:dr\.approveDeletes\.bucket = /);
  });
});

describe("the credential logging.credentialsSecret names, checked at parse time", () => {
  const opensearch = {
    output: "opensearch",
    endpoint: "https://search-logs.eu-west-1.es.amazonaws.com",
    auth: "sigv4",
    awsRegion: "eu-west-1",
    credentialsSecret: "elkAwsKeys",
  };
  const sigv4 = (value: string) => parseObservability({ logging: opensearch, elkAwsKeys: value }, "prod");
  const apiKey = (value: string) =>
    parseObservability(
      { logging: { ...es, auth: "apiKey", username: undefined }, elkPassword: value },
      "prod",
    );
  const basic = (value: string) => parseObservability({ logging: es, elkPassword: value }, "prod");
  const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  /** The one line, which names the key and never shows the value or a piece of it. */
  const refused = (fn: (v: string) => unknown, value: string): string => {
    const text = message(() => fn(value));
    for (const piece of [
      value,
      KEY_ID,
      SECRET,
      "IOSFODNN7",
      "ui2lp2ax",
      "tok-value",
      "phrase-xyz",
      "sessionToken",
    ])
      expect(text).to.not.contain(piece);
    return text;
  };

  it("sigv4: JSON keys of an IAM user (components/logging reads accessKeyId and secretAccessKey)", () => {
    expect(sigv4(JSON.stringify({ accessKeyId: KEY_ID, secretAccessKey: SECRET })).logging?.auth).to.equal(
      "sigv4",
    );
    expect(refused(sigv4, `${KEY_ID}:${SECRET}`)).to.equal(
      'harbor-platform:elkAwsKeys = (secret): JSON {"accessKeyId": "...", "secretAccessKey": "..."}',
    );
    expect(refused(sigv4, JSON.stringify({ accessKeyId: KEY_ID }))).to.equal(
      "harbor-platform:elkAwsKeys.secretAccessKey = (secret): the access key's secret, without spaces",
    );
    expect(
      refused(sigv4, JSON.stringify({ accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET })),
    ).to.equal(
      "harbor-platform:elkAwsKeys.accessKeyId = (secret): an IAM user's access key ID (AKIA...; 16-128 letters and digits); a temporary key (ASIA...) needs a session token, which Fluent Bit is not given",
    );
    expect(
      refused(
        sigv4,
        JSON.stringify({ accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: "tok-value-123" }),
      ),
    ).to.equal(
      // The field's name came from the secret: not named; the fields allowed are.
      "harbor-platform:elkAwsKeys = (secret): a field not allowed here (not named: it is part of the secret); allowed fields: accessKeyId, secretAccessKey",
    );
  });

  it("apiKey: Elasticsearch's encoded key, base64 of <id>:<api_key>, sent as is after ApiKey", () => {
    const encoded = Buffer.from("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").toString("base64");
    expect(apiKey(encoded).logging?.auth).to.equal("apiKey");
    // The bare api_key, or id:api_key not encoded: what a user most likely pastes by mistake.
    expect(refused(apiKey, "ui2lp2axTNmsyakw9tvNnw")).to.equal(
      "harbor-platform:elkPassword = (secret): Elasticsearch's encoded API key: base64 of <id>:<api_key> (the create API key API's `encoded`); not base64",
    );
    expect(refused(apiKey, "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw")).to.match(/; not base64$/);
    expect(refused(apiKey, Buffer.from("ui2lp2axTNmsyakw9tvNnw").toString("base64"))).to.match(
      /; it does not decode to <id>:<api_key>$/,
    );
  });

  it("basic: a password without control characters", () => {
    expect(basic("s3cret-pw").logging?.username).to.equal("harbor-shipper");
    expect(refused(basic, "pass\nphrase-xyz")).to.equal(
      "harbor-platform:elkPassword = (secret): a non-empty password without control characters",
    );
    expect(message(() => basic(""))).to.equal(
      "harbor-platform:elkPassword = (secret): a non-empty password without control characters",
    );
  });
});
