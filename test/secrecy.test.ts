// Secrets as the engine stores them: a prod stack that declares robots, OIDC, a registry
// credential and an external S3 endpoint. Every place a secret value reaches (a registration's
// inputs, a stack output) must reach the engine as a secret, and every output a provider returns a
// credential in must be listed in the resource's additionalSecretOutputs — under the SDK's mocks
// nothing marks a provider's outputs secret, so only the registration shows what the engine would
// do. Secret values are traced by value: the test's own secret config, and what the providers'
// schemas declare secret (named per type below), whatever stand-ins the mocks computed for them.
import * as fs from "fs";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { evaluateStack, type Registered, type StackRun } from "./harness";
import { PROD_WITH_OPTIONS, SECRET_CONFIG } from "./harness/options";
import { STACK_SECRETS } from "./harness/stack-secrets";
import { upstreamFile } from "./upstream";

/**
 * Outputs a provider's schema declares secret (`"secret": true` in its schema.json): pulumi-random
 * RandomPassword, pulumi-tls PrivateKey, pulumi-aws iam AccessKey. Harbor's robots: below, from
 * Harbor's API.
 */
const SCHEMA_SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
  "aws:iam/accessKey:AccessKey": ["secret", "sesSmtpPasswordV4"],
};

/**
 * The credential fields Harbor 2.15.2 returns for a robot: RobotSec, the response of a secret
 * refresh, is the credential alone; RobotCreated (create) carries it too (api/v2.0/swagger.yaml at
 * tag v2.15.2, the pinned copy).
 */
let robotCredentialFields: string[] | undefined;
function harborRobotCredentialFields(): string[] {
  if (robotCredentialFields) return robotCredentialFields;
  const spec = parseYaml(fs.readFileSync(upstreamFile("harbor-api", "swagger-v2.15.2.yaml"), "utf8")) as {
    definitions: Record<string, { properties: Record<string, unknown> }>;
  };
  const credential = Object.keys(spec.definitions.RobotSec.properties);
  expect(Object.keys(spec.definitions.RobotCreated.properties)).to.include.members(credential);
  robotCredentialFields = credential;
  return credential;
}

/** Every string leaf under `value` with its dotted path (`a.b[0].c`, as the harness names paths). */
function leaves(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [];
}

const under = (path: string, secretPaths: readonly string[]) =>
  secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));

/** The secret values this run holds: the secret config and the providers' secret outputs. */
function needles(run: StackRun): string[] {
  const out = [...Object.values(STACK_SECRETS.prod), ...Object.values(SECRET_CONFIG)];
  const robotFields = harborRobotCredentialFields();
  for (const r of run.resources) {
    const keys = r.type.endsWith(":HarborRobot") ? robotFields : (SCHEMA_SECRET_OUTPUTS[r.type] ?? []);
    for (const k of keys) if (typeof r.wire.computed[k] === "string") out.push(r.wire.computed[k] as string);
  }
  // Short values would match by accident (an empty string, "harbor").
  return [...new Set(out)].filter((n) => n.length >= 12);
}

/** Input paths that carry a secret value but reach the engine in plain text. */
function plainSecretInputs(run: StackRun): string[] {
  const secrets = needles(run);
  return run.resources.flatMap((r: Registered) =>
    leaves(r.inputs)
      .filter(([path, v]) => secrets.some((n) => v.includes(n)) && !under(path, r.secretPaths))
      .map(([path]) => `${r.type} ${r.name}: ${path}`),
  );
}

/**
 * Outputs of a dynamic provider resource the engine would store in plain text: the provider
 * returns its inputs as outputs, so each secret input, and each credential Harbor answers with,
 * must be an additional secret output.
 */
function plainSecretOutputs(run: StackRun): string[] {
  const robotFields = harborRobotCredentialFields();
  return run.resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
    .flatMap((r) => {
      const secretInputs = r.secretPaths.map((p) => p.split(/[.[]/)[0]);
      const credentials = r.type.endsWith(":HarborRobot") ? robotFields : [];
      return [...new Set([...secretInputs, ...credentials])]
        .filter((k) => !(r.additionalSecretOutputs ?? []).includes(k))
        .map((k) => `${r.type} ${r.name}: output ${k}`);
    });
}

describe("secrets reach the engine as secrets (prod with robots, OIDC, a registry credential, external S3)", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod", PROD_WITH_OPTIONS);
  });

  it("traces the secret values into the registrations (the check has something to find)", () => {
    const secrets = needles(run);
    const carrying = run.resources.filter((r) =>
      leaves(r.inputs).some(([, v]) => secrets.some((n) => v.includes(n))),
    );
    const types = new Set(carrying.map((r) => r.type.split(":").pop()));
    for (const t of ["HarborSettings", "HarborRegistry", "HarborRobot", "Secret"])
      expect([...types]).to.include(t);
  });

  it("every input that carries a secret value is a secret on the wire", () => {
    expect(plainSecretInputs(run)).to.deep.equal([]);
  });

  it("every dynamic-provider output that holds a credential is an additional secret output", () => {
    expect(run.byType("pulumi-nodejs:dynamic/harbor:HarborRobot")).to.have.length(1);
    expect(plainSecretOutputs(run)).to.deep.equal([]);
  });

  it("every stack output that carries a secret value is secret", () => {
    const secrets = needles(run);
    const plain = Object.entries(run.outputs)
      .filter(([, o]) => !o.secret && secrets.some((n) => (JSON.stringify(o.value) ?? "").includes(n)))
      .map(([k]) => k);
    expect(plain).to.deep.equal([]);
  });

  it("the robot's pull Secret holds its credential only as a secret (and the check would see it)", () => {
    const pull = run
      .byType("kubernetes:core/v1:Secret")
      .find((r) => r.inputs.type === "kubernetes.io/dockerconfigjson");
    if (!pull) throw new Error("no pull Secret: the robot asks for one in PROD_WITH_OPTIONS");
    const resources = run.resources.map((r) => (r === pull ? { ...r, secretPaths: [] } : r));
    expect(plainSecretInputs({ ...run, resources })).to.deep.equal([
      `${pull.type} ${pull.name}: stringData..dockerconfigjson`,
    ]);
  });

  it("finds a robot whose credential is not an additional secret output (the check can fail)", () => {
    const robot = run.byType("pulumi-nodejs:dynamic/harbor:HarborRobot")[0];
    const resources = run.resources.map((r) =>
      r === robot ? { ...r, additionalSecretOutputs: ["connection"] } : r,
    );
    expect(plainSecretOutputs({ ...run, resources })).to.deep.equal([
      `${robot.type} ${robot.name}: output secret`,
    ]);
  });
});
