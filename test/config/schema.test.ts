// The config schema is the one place a key is defined: Pulumi.yaml, the README's reference and
// `pulumi new`'s prompts follow from it, and every error it gives is one line naming the key.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { KEYS, decodeStackConfig, parseConfig } from "../../config";
import {
  generatedPulumiYaml,
  generatedReference,
  REFERENCE_END,
  REFERENCE_START,
} from "../../config/schema/files";
import { fieldsOf } from "../../config/schema/generate";
import { didYouMean } from "../../config/schema/errors";
import { ROOT, StackSecret, evaluateStack, projectFile, runtimeStackConfig, stackConfig } from "../harness";
import { STACK_SECRETS } from "../harness/stack-secrets";
import { applyCliRules, readStackFile, runtimeConfig } from "./pulumi-cli";
import { configFailure as failure } from "./failure";

const PROJECT = "harbor-platform";
const STALE = "stale: run `npm run generate` and commit the result";

/** The program's parse of a stack, as readStackConfig runs it: secrets known as secrets. */
function parseStack(stack: string, overrides: Record<string, unknown> = {}) {
  const runtime = runtimeStackConfig(stack, overrides);
  const secretKeys = new Set([
    ...Object.keys(STACK_SECRETS[stack] ?? {}).filter((k) => !(k in overrides)),
    ...Object.entries(overrides)
      .filter(([, v]) => v instanceof StackSecret)
      .map(([k]) => k),
  ]);
  return parseConfig(decodeStackConfig(runtime, PROJECT), { secretKeys });
}

describe("config schema: the files it generates", () => {
  it("Pulumi.yaml is what the schema generates", () => {
    expect(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"), STALE).to.equal(generatedPulumiYaml());
  });

  it("the README's configuration reference is what the schema generates", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf(REFERENCE_START);
    const end = readme.indexOf(REFERENCE_END);
    expect(start, "README markers").to.be.greaterThan(0);
    expect(readme.slice(start + REFERENCE_START.length, end).trim(), STALE).to.equal(
      generatedReference().trim(),
    );
  });

  it("documents every key, and every field of a structured key", () => {
    for (const [name, def] of Object.entries(KEYS)) {
      expect(def.doc, name).to.match(/\S/);
      for (const f of fieldsOf(def.schema, name)) expect(f.doc, f.path).to.match(/\S/);
    }
  });

  it("lists each key once in the reference, under its group", () => {
    const reference = generatedReference();
    const rows = reference.split("\n").filter((line) => line.startsWith("| `"));
    for (const name of Object.keys(KEYS))
      expect(
        rows.filter((row) => row.startsWith(`| \`${name}\` |`)),
        name,
      ).to.have.length(1);
  });
});

describe("config schema: pulumi new", () => {
  /**
   * The stack file `pulumi new` writes from the template's answers: each prompt's key saved as
   * it is (flat, never by path), empty answers left out (pulumi v3.248
   * pkg/cmd/pulumi/project/newcmd/config.go), then the CLI's config rules.
   */
  function answered(answers: Record<string, string>) {
    const file = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
      template: { config: Record<string, unknown> };
    };
    for (const k of Object.keys(answers)) expect(file.template.config, "prompted").to.have.property(k);
    const text = Object.entries(answers)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
      .join("\n");
    const config = readStackFile(`config:\n${text}\n`);
    return runtimeConfig(applyCliRules("new", projectFile(), config));
  }

  it("a dev stack from the prompts' answers is accepted", () => {
    const cfg = parseConfig(
      decodeStackConfig(
        answered({
          "harbor-platform:topology": "dev",
          "harbor-platform:hostname": "registry.dev.example.com",
          "harbor-platform:nasStorageClass": "nfs-client",
        }),
        PROJECT,
      ),
    );
    expect(cfg.storage).to.include({ nasClass: "nfs-client", localClass: "local-path" });
  });

  it("a prod stack's flat dr.bucketName answer is folded into dr; the next key it needs gets one line", () => {
    const raw = decodeStackConfig(
      answered({
        "harbor-platform:topology": "prod",
        "harbor-platform:hostname": "registry.example.com",
        "harbor-platform:localStorageClass": "local-nvme",
        "harbor-platform:dr.bucketName": "acme-harbor-dr",
        "aws:region": "eu-central-1",
      }),
      PROJECT,
    );
    expect(raw.dr).to.deep.equal({ bucketName: "acme-harbor-dr" });
    expect(failure(() => parseConfig(raw))).to.match(/^harbor-platform:\S+ = \(unset\): required/);
  });

  it("refuses a field set both flat and inside its key", () => {
    expect(
      failure(() =>
        decodeStackConfig(
          { "harbor-platform:dr": '{"bucketName":"a-b-c"}', "harbor-platform:dr.bucketName": "x-y-z" },
          PROJECT,
        ),
      ),
    ).to.equal('harbor-platform:dr.bucketName = "x-y-z": set once: dr already sets bucketName');
  });
});

describe("config schema: errors", () => {
  it("suggests the key a typo meant", () => {
    expect(didYouMean("hostName", Object.keys(KEYS))).to.equal("hostname");
    expect(didYouMean("replica", Object.keys(KEYS))).to.equal("replicas");
    expect(didYouMean("completelyDifferent", Object.keys(KEYS))).to.equal(undefined);
    expect(failure(() => parseStack("dev", { hostName: "x.example.com" }))).to.equal(
      'harbor-platform:hostName = "x.example.com": unknown key; did you mean `hostname`?',
    );
  });

  it("suggests the field a typo inside a structured key meant", () => {
    expect(
      failure(() =>
        parseStack("dev", {
          ingressClassName: undefined,
          exposure: "gateway",
          gatewayParentRefs: [{ name: "gw", sectionNmae: "https" }],
        }),
      ),
    ).to.equal(
      'harbor-platform:gatewayParentRefs[0].sectionNmae = "https": unknown key; did you mean `sectionName`?',
    );
  });

  it("keeps an unknown key's list of known keys short", () => {
    const message = failure(() => parseStack("dev", { qqqqqqqqqqqq: "1" }));
    expect(message.length).to.be.at.most(300);
  });

  it("refuses a key the exposure mode does not read", () => {
    expect(failure(() => parseStack("dev", { exposure: "loadBalancer" }))).to.equal(
      'harbor-platform:ingressClassName = "traefik": only used when exposure is ingress (it is loadBalancer); remove it',
    );
  });

  it("refuses a key the topology does not read", () => {
    expect(failure(() => parseStack("prod", { nasStorageClass: "nfs" }))).to.equal(
      'harbor-platform:nasStorageClass = "nfs": only used by topology dev; remove it from the prod stack',
    );
  });

  it("hints at --path when a structured key is set as text", () => {
    expect(failure(() => parseStack("dev", { namespaceQuota: "storage: 1Ti" }))).to.equal(
      "harbor-platform:namespaceQuota = \"storage: 1Ti\": structured config (an object or list); set it in Pulumi.<stack>.yaml, or one field at a time with pulumi config set --path 'namespaceQuota.<field>' <value>",
    );
  });

  it("refuses control characters, which would end up inside generated files", () => {
    expect(failure(() => parseStack("dev", { hostname: "registry.example.com\n" }))).to.match(
      /^harbor-platform:hostname = "registry.example.com\\n": /,
    );
    expect(
      failure(() =>
        parseStack("dev", {
          ingressClassName: undefined,
          exposure: "gateway",
          gatewayParentRefs: [{ name: "gw\u0007" }],
        }),
      ),
    ).to.match(/^harbor-platform:gatewayParentRefs\[0\]\.name = /);
  });

  it("refuses namespaces Kubernetes owns", () => {
    expect(failure(() => parseStack("dev", { namespace: "kube-system" }))).to.equal(
      'harbor-platform:namespace = "kube-system": a namespace of its own, not one Kubernetes owns (default, kube-system, kube-public, kube-node-lease)',
    );
  });

  it("refuses validity periods the certificate-lifetime policy would refuse at preview", () => {
    expect(failure(() => parseStack("dev", { certValidityDays: 826 }))).to.match(
      /certValidityDays = "826": an integer from 1 to 825 \(the certificate-lifetime policy's limit/,
    );
    expect(failure(() => parseStack("dev", { caValidityDays: 3654 }))).to.match(
      /caValidityDays = "3654": an integer from 30 to 3653/,
    );
  });
});

describe("config schema: secrets", () => {
  const external = {
    objectStore: { mode: "external", endpoint: "https://s3.example.com", region: "eu-west-1" },
  };

  it("refuses a documented secret stored in plain text, without echoing it", () => {
    const message = failure(() =>
      parseStack("prod", {
        ...external,
        objectStoreAccessKey: "AKIAPLAINTEXT",
        objectStoreSecretKey: new StackSecret("s"),
      }),
    );
    expect(message).to.equal(
      "harbor-platform:objectStoreAccessKey = (secret): stored in plain text; a secret: set it with pulumi config set --secret objectStoreAccessKey <value>",
    );
    expect(message).not.to.include("AKIAPLAINTEXT");
  });

  it("refuses a secret named by a structured key but stored in plain text", () => {
    const message = failure(() => parseStack("prod", { elkApiKey: "plain-api-key" }));
    expect(message).to.match(/^harbor-platform:elkApiKey = \(secret\): stored in plain text/);
    expect(message).not.to.include("plain-api-key");
  });

  it("accepts them stored as secrets", () => {
    const cfg = parseStack("prod", {
      ...external,
      objectStoreAccessKey: new StackSecret("a"),
      objectStoreSecretKey: new StackSecret("s"),
    });
    expect(cfg.secretKeys).to.include.members(["objectStoreAccessKey", "objectStoreSecretKey", "elkApiKey"]);
  });

  it("never shows the value of an unknown key stored as a secret", () => {
    const message = failure(() => parseStack("dev", { objectStoreSecretKye: new StackSecret("hunter2") }));
    expect(message).not.to.include("hunter2");
  });

  it("the program learns which keys are secret from the SDK's runtime, as the CLI hands them over", async () => {
    // evaluateStack runs index.ts: readStackConfig asks the SDK (runtime/config.js
    // isConfigSecret, PULUMI_CONFIG_SECRET_KEYS), not this test, which keys are secrets.
    const store = { mode: "external", endpoint: "https://s3.example.com", region: "eu-west-1" };
    let refused = "";
    try {
      await evaluateStack("prod", {
        objectStore: store,
        objectStoreAccessKey: "AKIAPLAINTEXT",
        objectStoreSecretKey: new StackSecret("s"),
      });
    } catch (err) {
      refused = (err as Error).message;
    }
    expect(refused).to.match(/objectStoreAccessKey = \(secret\): stored in plain text/);
    expect(refused).not.to.include("AKIAPLAINTEXT");
    const run = await evaluateStack("prod", {
      objectStore: store,
      objectStoreAccessKey: new StackSecret("a"),
      objectStoreSecretKey: new StackSecret("s"),
    });
    expect(run.resources.length).to.be.greaterThan(0);
  });
});

describe("config schema: structured values", () => {
  it("keeps an IPv6 [address]:port a string: only structured keys are decoded", () => {
    const raw = decodeStackConfig({ "harbor-platform:auditLogSyslog": "[fd00::5]:514" }, PROJECT);
    expect(raw.auditLogSyslog).to.equal("[fd00::5]:514");
    expect(stackConfig("dev", { auditLogSyslog: "[fd00::5]:514" }).auditLogSyslog).to.equal("[fd00::5]:514");
  });
});
