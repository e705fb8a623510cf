// Pulumi.yaml and every stack file and documented stack example, put through the Pulumi CLI's
// own config rules (pulumi/pulumi v3.248.0, see pulumi-cli.ts) and then through the program's
// parser, as `pulumi preview`/`up` would run them.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { ConfigError, decodeStackConfig, parseConfig, type PlatformConfig } from "../../config";
import { ROOT, projectFile } from "../harness";
import { STACK_SECRETS } from "../harness/stack-secrets";
import { upstreamFile } from "../upstream";
import { PROJECT, documentedExamples, standInSecret } from "../docs/examples";
import {
  applyCliRules,
  encrypt,
  loadProject,
  readStackFile,
  runtimeConfig,
  type Project,
  type StackConfig,
} from "./pulumi-cli";

const SCHEMA = () => upstreamFile("pulumi-project", "project.json");
const stacks = fs
  .readdirSync(ROOT)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined);

/** The stack file plus the secret config its operator sets with `pulumi config set --secret`. */
function stackWithSecrets(stack: string, extra: Record<string, unknown> = {}): StackConfig {
  const config = readStackFile(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [k, v] of Object.entries(STACK_SECRETS[stack] ?? {}))
    config.set(`${PROJECT}:${k}`, { text: encrypt(v), secure: true, object: false });
  for (const [k, v] of Object.entries(extra)) {
    const object = v !== null && typeof v === "object";
    config.set(k, { text: object ? JSON.stringify(v) : String(v), secure: false, object });
  }
  return config;
}

/** What the program does with a config map: decode, then parse (throws a ConfigError). */
const program = (config: StackConfig): PlatformConfig =>
  parseConfig(decodeStackConfig(runtimeConfig(config), PROJECT), {
    // The keys the CLI hands the program as secrets (PULUMI_CONFIG_SECRET_KEYS).
    secretKeys: new Set(
      [...config]
        .filter(([k, v]) => v.secure && k.startsWith(`${PROJECT}:`))
        .map(([k]) => k.slice(PROJECT.length + 1)),
    ),
  });

/**
 * Runs the program on the CLI-merged config; when it asks for a secret config key (its message
 * names the `pulumi config set --secret` command, as the docs tell the operator), sets that key
 * encrypted and runs again, as the operator would.
 */
function programWithAskedSecrets(stack: string, config: StackConfig): PlatformConfig {
  for (let i = 0; i < 10; i++) {
    try {
      return program(applyCliRules(stack, projectFile(), config));
    } catch (err) {
      const asked = err instanceof ConfigError && /config set --secret (\S+)/.exec(err.message)?.[1];
      if (!asked) throw err;
      config.set(`${PROJECT}:${asked}`, { text: encrypt(`stand-in-${asked}`), secure: true, object: false });
    }
  }
  throw new Error("the program kept asking for secrets");
}

/**
 * A whole stack file as the operator would deploy it: nothing of the project's stack files
 * beneath it, and only the `secrets` its doc tells the operator to set.
 */
function onItsOwn(stack: string, yaml: string, secrets: readonly string[]): PlatformConfig {
  const config = readStackFile(yaml);
  for (const k of secrets)
    config.set(`${PROJECT}:${k}`, { text: encrypt(standInSecret(k)), secure: true, object: false });
  return program(applyCliRules(stack, projectFile(), config));
}

describe("Pulumi CLI rules (pulumi/pulumi v3.248.0, pulumi-project/SOURCE.md)", () => {
  describe("the rules as implemented here reproduce the CLI", () => {
    const project = (config: Record<string, unknown>): Project =>
      loadProject({ name: "p", runtime: "nodejs", config }, SCHEMA());
    const stack = (config: Record<string, unknown>) =>
      readStackFile(
        JSON.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`p:${k}`, v])) }),
      );

    it("lists every missing key in one sorted message", () => {
      const p = project({ b: { type: "string" }, a: { type: "string" }, c: { type: "integer" }, d: "x" });
      expect(() => applyCliRules("s", p, stack({}))).to.throw(
        "Stack 's' is missing configuration values 'a', 'b' and 'c'",
      );
      expect(() => applyCliRules("s", p, stack({ a: "1", b: "2" }))).to.throw(
        "Stack 's' is missing configuration value 'c'",
      );
    });

    it("writes a declared default (also a shorthand one) into the stack's config", () => {
      const p = project({
        n: { type: "integer", default: 3 },
        s: "text",
        b: { type: "boolean", default: false },
      });
      expect(runtimeConfig(applyCliRules("s", p, stack({})))).to.deep.equal({
        "p:n": "3",
        "p:s": "text",
        "p:b": "false",
      });
    });

    it("checks types the Go way and requires secure values for secret keys", () => {
      const p = project({
        n: { type: "integer" },
        k: { type: "string", secret: true },
        o: { type: "string" },
      });
      const ok = { n: 5, k: { secure: encrypt("x") }, o: "y" };
      expect(() => applyCliRules("s", p, stack(ok))).not.to.throw();
      expect(() => applyCliRules("s", p, stack({ ...ok, n: "five" }))).to.throw(
        "Stack 's' with configuration key 'n' must be of type 'integer'",
      );
      expect(() => applyCliRules("s", p, stack({ ...ok, k: "plain" }))).to.throw(
        "Stack 's' with configuration key 'k' must be encrypted as it's secret",
      );
      expect(() => applyCliRules("s", p, stack({ ...ok, o: { a: 1 } }))).to.throw(
        "Stack 's' with configuration key 'o' must be of type 'string'",
      );
    });

    it("refuses a secret declared with a default (the written default is not encrypted)", () => {
      const p = project({ k: { type: "string", secret: true, default: "x" } });
      expect(() => applyCliRules("s", p, stack({}))).to.throw("must be encrypted as it's secret");
    });

    it("validates Pulumi.yaml against the pinned project.json and Project.Validate", () => {
      expect(() => project({ a: { type: "text" } })).to.throw();
      expect(() => project({ a: { type: "array" } })).to.throw("does not specify the underlying type");
      expect(() => project({ a: { type: "integer", default: "x" } })).to.throw(
        "is not of the expected type 'integer'",
      );
      expect(() => project({ "aws:region": { type: "string", value: "x" } })).to.throw(
        "should not define a type",
      );
    });
  });

  it("Pulumi.yaml passes the CLI's project validation", () => {
    const raw: unknown = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    expect(() => loadProject(raw, SCHEMA())).not.to.throw();
  });

  it("declares secret: true for every declared key the program reads as a secret", () => {
    for (const stack of stacks) {
      const secretKeys = programWithAskedSecrets(stack, stackWithSecrets(stack)).secretKeys;
      for (const key of secretKeys) {
        const decl = projectFile().config[key];
        if (decl) expect(decl.secret, `${key} in Pulumi.yaml`).to.equal(true);
      }
    }
  });

  for (const stack of stacks) {
    describe(`Pulumi.${stack}.yaml`, () => {
      it("passes the CLI's stack-config validation and the program accepts the result", () => {
        const merged = applyCliRules(stack, projectFile(), stackWithSecrets(stack));
        expect(() => program(merged)).not.to.throw();
      });

      it("gets from every declared default exactly what the program would choose without it", () => {
        // Remove every key Pulumi.yaml gives a default, so the CLI writes the defaults in; the
        // program must then build the same config as from the bare file with its own defaults.
        const bare = stackWithSecrets(stack);
        for (const [key, decl] of Object.entries(projectFile().config))
          if (decl.default !== undefined) bare.delete(`${PROJECT}:${key}`);
        const withDefaults = program(applyCliRules(stack, projectFile(), bare));
        expect(withDefaults).to.deep.equal(program(bare));
      });
    });
  }

  describe("documented stack examples", () => {
    const examples = documentedExamples();

    it("finds the examples in README.md and docs/", () => {
      expect(examples.map((e) => e.where)).to.have.length.greaterThan(2);
    });

    it("finds whole stack files among them, and refuses one that lacks a required key or secret", () => {
      const whole = examples.filter((e) => e.topology === "prod");
      expect(whole.length).to.be.greaterThan(2);
      // Without the stack file beneath it, an example missing what prod requires fails.
      const { config, secrets } = whole[0];
      const without = (key: string) => JSON.stringify({ config: { ...config, [key]: undefined } });
      for (const key of ["hostname", "localStorageClass", "networkPolicy", "logging", "dr"])
        expect(() => onItsOwn("prod", without(`${PROJECT}:${key}`), secrets), key).to.throw(key);
      expect(() => onItsOwn("prod", without("aws:region"), secrets)).to.throw("aws:region");
      expect(() => onItsOwn("prod", JSON.stringify({ config }), []), "no secrets").to.throw(secrets[0]);
    });

    for (const example of examples) {
      const topology = example.topology;
      if (topology !== undefined) {
        it(`${example.where}: a whole ${topology} stack file the CLI and the program accept on their own`, () => {
          expect(() => onItsOwn(topology, example.yaml, example.secrets)).not.to.throw();
        });
        continue;
      }
      it(`${example.where}: the CLI accepts it in every stack and a topology's program accepts it`, () => {
        const accepted: string[] = [];
        const refusals: string[] = [];
        for (const stack of stacks) {
          const config = stackWithSecrets(stack, example.config);
          expect(() => applyCliRules(stack, projectFile(), config), stack).not.to.throw();
          try {
            programWithAskedSecrets(stack, config);
            accepted.push(stack);
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            refusals.push(`${stack}: ${err.message}`);
          }
        }
        expect(accepted.length, refusals.join("\n")).to.be.greaterThan(0);
      });
    }
  });
});
