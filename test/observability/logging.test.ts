import * as fs from "fs";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { upstreamFile } from "../upstream";
import { type LogAuth, type LoggingConfig } from "../../config/observability";
import { credentialSecretData, fluentBitPipeline, fluentBitValues } from "../../components/logging/pipeline";
import { parseObservability } from "../config/sections";

/** A credential per auth, in the form the config requires of it. */
const SECRETS: Record<LogAuth, string> = {
  basic: "super-secret-password",
  apiKey: Buffer.from("fb-id:super-secret-api-key").toString("base64"),
  sigv4: JSON.stringify({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "super/secret/access/key" }),
};
const SECRET_PIECES = [...Object.values(SECRETS), "AKIAIOSFODNN7EXAMPLE", "super-secret", "super/secret"];

function logging(raw: Record<string, unknown> & { auth: LogAuth }): LoggingConfig {
  const cfg = parseObservability(
    { logging: { credentialsSecret: "elkCred", ...raw }, elkCred: SECRETS[raw.auth] },
    "prod",
  );
  if (!cfg.logging) throw new Error("no logging");
  return cfg.logging;
}

const kinds: Array<[string, LoggingConfig, RegExp]> = [
  [
    "es + basic",
    logging({ output: "es", endpoint: "https://elk.example.com:9243/", auth: "basic", username: "shipper" }),
    /Name\s+es\n[\s\S]*HTTP_User\s+shipper\n\s+HTTP_Passwd\s+\$\{ELK_PASSWORD\}/,
  ],
  [
    "es + apiKey",
    logging({ output: "es", endpoint: "https://elk.example.com", auth: "apiKey" }),
    /HTTP_API_Key\s+\$\{ELK_API_KEY\}/,
  ],
  [
    "opensearch + sigv4",
    logging({
      output: "opensearch",
      endpoint: "https://search-x.eu-west-1.es.amazonaws.com",
      auth: "sigv4",
      awsRegion: "eu-west-1",
    }),
    /Name\s+opensearch\n[\s\S]*AWS_Auth\s+On\n\s+AWS_Region\s+eu-west-1/,
  ],
];

describe("Fluent Bit pipeline", () => {
  for (const [what, l, auth] of kinds) {
    it(`renders ${what} with verified TLS, disk buffer and no secret in the text`, () => {
      const p = fluentBitPipeline({ logging: l, harborNamespace: "harbor" });
      const text = Object.values(p).join("\n");
      expect(p.outputs).to.match(auth);
      expect(p.outputs).to.match(/\btls\s+On\n/);
      expect(p.outputs).to.match(/tls\.verify\s+On\n/);
      expect(p.outputs).to.match(/tls\.verify_hostname\s+On\n/);
      expect(p.outputs).to.match(new RegExp(`storage\\.total_limit_size\\s+${5 * 2 ** 30}\\n`));
      expect(p.inputs).to.match(/storage\.type\s+filesystem/);
      expect(p.service).to.match(/storage\.path\s+\/var\/fluent-bit\/state\/flb-storage\//);
      expect(p.filters).to.match(/Name\s+kubernetes/);
      expect(p.filters).to.match(/Match\s+kube\.\*_harbor_\*/);
      for (const piece of SECRET_PIECES) expect(text).to.not.include(piece);
      expect(text).to.not.match(/tls\.verify\s+Off/);
    });
  }

  it("fills credentials from the Secret by env and tolerates every taint", () => {
    const values = fluentBitValues({
      logging: kinds[0][1],
      harborNamespace: "harbor",
      credentialsSecretName: "fb-cred",
    });
    expect(values.tolerations).to.deep.equal([{ operator: "Exists" }]);
    expect(values.env).to.deep.equal([
      { name: "ELK_PASSWORD", valueFrom: { secretKeyRef: { name: "fb-cred", key: "ELK_PASSWORD" } } },
    ]);
    for (const piece of SECRET_PIECES) expect(JSON.stringify(values)).to.not.include(piece);
  });

  it("only uses value paths of chart fluent-bit 0.58.1", () => {
    const upstream = parseYaml(
      fs.readFileSync(upstreamFile("fluent-bit-chart", "values.yaml"), "utf8"),
    ) as Record<string, unknown>;
    const values = fluentBitValues({
      logging: kinds[0][1],
      harborNamespace: "harbor",
      credentialsSecretName: "x",
    });
    const documentedOnlyInComments = ["serviceMonitor.selector"];
    for (const [k, v] of Object.entries(values)) {
      expect(upstream, k).to.have.property(k);
      if (k === "config" || k === "serviceMonitor") {
        for (const sub of Object.keys(v as object)) {
          if (documentedOnlyInComments.includes(`${k}.${sub}`)) continue;
          expect(upstream[k], `${k}.${sub}`).to.have.property(sub);
        }
      }
    }
  });

  it("parses Harbor log lines with the custom regex", () => {
    const p = fluentBitPipeline({ logging: kinds[0][1], harborNamespace: "harbor" });
    const regex = /Name\s+harbor\n\s+Format\s+regex\n\s+Regex\s+(.*)\n/.exec(p.customParsers)?.[1] ?? "";
    const js = new RegExp(regex);
    const line =
      '2026-08-01T10:00:00Z [ERROR] [/server/middleware/security/basic_auth.go:72][client IP="10.0.0.1" requestID="r1"]: failed to authenticate user:bob, error:bad';
    expect(js.exec(line)?.groups).to.include({
      level: "ERROR",
      message: "failed to authenticate user:bob, error:bad",
    });
    const user = new RegExp(
      /Name\s+harbor_user\n\s+Format\s+regex\n\s+Regex\s+(.*)\n/.exec(p.customParsers)?.[1] ?? "",
    );
    expect(user.exec("failed to authenticate user:bob, error:bad")?.groups?.user).to.equal("bob");
  });

  it("turns the stack secret into the Secret's env keys", () => {
    expect(credentialSecretData("basic", "pw")).to.deep.equal({ ELK_PASSWORD: "pw" });
    expect(credentialSecretData("sigv4", SECRETS.sigv4)).to.deep.equal({
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "super/secret/access/key",
    });
    expect(() => credentialSecretData("sigv4", "sk-plain"))
      .to.throw(/accessKeyId/)
      .with.property("message")
      .that.does.not.include("sk-plain");
  });
});
