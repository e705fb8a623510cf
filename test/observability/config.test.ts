import { expect } from "chai";
import { parseObservability, secretConfigKeys, syslogEndpoint } from "../../config/observability";

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
        elkAwsKeys: "{}",
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
      "harbor-platform:elkPassword = (unset): missing secret named by logging.credentialsSecret: set it with pulumi config set --secret elkPassword",
    ],
    [
      "no credentialsSecret key",
      { logging: { ...es, credentialsSecret: undefined } },
      "dev",
      "harbor-platform:logging.credentialsSecret = (unset): required: the name of the stack secret config key holding the basic credential",
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
});
