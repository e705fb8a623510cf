// Pulumi.yaml and every stack file and documented stack example, put through the Pulumi CLI's
// own config rules (pulumi/pulumi v3.248.0, see pulumi-cli.ts) and then through the program's
// parser, as `pulumi preview`/`up` would run them.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { lexer, walkTokens, type Tokens } from "marked";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { ConfigError, decodeStackConfig, parseConfig, type PlatformConfig } from "../../config";
import { ROOT, projectFile } from "../harness";
import { STACK_SECRETS } from "../harness/stack-secrets";
import { upstreamFile } from "../upstream";
import {
  applyCliRules,
  encrypt,
  loadProject,
  readStackFile,
  runtimeConfig,
  type Project,
  type StackConfig,
} from "./pulumi-cli";

const PROJECT = "harbor-platform";
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

    for (const example of examples) {
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

/**
 * Every code block in README.md and docs/ that sets keys of this project (a line
 * `harbor-platform:<key>:`), whatever its fence or language tag and wherever it is nested (a list
 * item): either a whole `config:` mapping or a fragment of one. Read with a Markdown lexer, so an
 * example written as ```yml, ~~~ or untagged is found too; a block that is not valid YAML fails.
 */
function documentedExamples(): { where: string; config: Record<string, unknown> }[] {
  const files = ["README.md", ...walk(path.join(ROOT, "docs")).map((f) => path.relative(ROOT, f))];
  const out: { where: string; config: Record<string, unknown> }[] = [];
  const setsKeys = new RegExp(`^\\s*${PROJECT}:[\\w.-]+:(\\s|$)`, "m");
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const blocks: Tokens.Code[] = [];
    walkTokens(lexer(text), (t) => {
      if (t.type === "code" && setsKeys.test((t as Tokens.Code).text)) blocks.push(t as Tokens.Code);
    });
    let cursor = 0;
    for (const block of blocks) {
      // A block in a list item is given without its indentation: found by its first line then.
      const at =
        [block.raw, block.text.split("\n")[0]].map((s) => text.indexOf(s, cursor)).find((i) => i >= 0) ??
        cursor;
      cursor = at + 1;
      const where = `${file}:${text.slice(0, at).split("\n").length}`;
      for (const doc of parseAllDocuments(block.text)) {
        expect(
          doc.errors.map((e) => e.message),
          `${where}: YAML`,
        ).to.deep.equal([]);
        const value: unknown = doc.toJS();
        if (value === null || typeof value !== "object") continue;
        const map = value as Record<string, unknown>;
        const config = (map.config ?? map) as Record<string, unknown>;
        if (!Object.keys(config).some((k) => k.startsWith(`${PROJECT}:`))) continue;
        out.push({ where, config });
      }
    }
  }
  return out;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".md") ? [path.join(dir, e.name)] : [],
    );
}
