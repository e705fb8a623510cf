// The stack examples README.md and docs/ give, read with a Markdown lexer, and what an operator
// would run with each: a block that sets `harbor-platform:topology` is a whole Pulumi.<stack>.yaml
// and runs on its own, with the secret config the doc's `pulumi config set --secret` commands
// after it set; any other block is a fragment added to a stack file.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { lexer, walkTokens, type Token, type Tokens } from "marked";
import { parseAllDocuments } from "yaml";
import { ROOT, StackSecret, type ConfigOverrides } from "../harness";
import { STACK_SECRETS } from "../harness/stack-secrets";
import { readStackFile } from "../config/pulumi-cli";
import { docFiles } from "./files";

export const PROJECT = "harbor-platform";
const TOPOLOGY = `${PROJECT}:topology`;

export interface DocExample {
  /** `file:line` of the block. */
  readonly where: string;
  readonly file: string;
  /** The nearest heading above the block. */
  readonly section: string;
  /** The block as a stack file's text (one YAML document of it). */
  readonly yaml: string;
  /** Its config keys, fully qualified (`harbor-platform:proxy`, `aws:region`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The topology a whole stack file sets; undefined for a fragment. */
  readonly topology?: string;
  /** Keys (without the project prefix) the doc sets with `pulumi config set --secret` after it. */
  readonly secrets: readonly string[];
}

/** `pulumi config set [-s stack] --secret [harbor-platform:]<key>`, in a code block or span. */
const SECRET_COMMAND = new RegExp(
  `pulumi config set\\b[^\\n\`]*?--secret\\s+(?:${PROJECT}:)?([A-Za-z][\\w-]*)`,
  "g",
);

/**
 * Every code block in `files` that sets keys of this project (a line `harbor-platform:<key>:`),
 * whatever its fence or language tag and wherever it is nested (a list item): either a whole
 * `config:` mapping or a fragment of one. A secret command belongs to the last example before it
 * under the same heading. A block that is not valid YAML fails.
 */
export function documentedExamples(files: readonly string[] = docFiles()): DocExample[] {
  const out: DocExample[] = [];
  const setsKeys = new RegExp(`^\\s*${PROJECT}:[\\w.-]+:(\\s|$)`, "m");
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    let section = "";
    let cursor = 0;
    // The examples of the current section, to which later secret commands belong.
    let open: { secrets: string[] }[] = [];
    for (const top of lexer(text)) {
      if (top.type === "heading") {
        section = (top as Tokens.Heading).text;
        open = [];
        continue;
      }
      const found: Token[] = [];
      walkTokens([top], (t) => {
        if (t.type === "code" || t.type === "codespan") found.push(t);
      });
      for (const t of found) {
        const body = (t as Tokens.Code | Tokens.Codespan).text;
        const secrets = [...body.matchAll(SECRET_COMMAND)].map((m) => m[1]);
        if (secrets.length > 0) open.forEach((e) => e.secrets.push(...secrets));
        if (t.type !== "code" || !setsKeys.test(body)) continue;
        // A block in a list item is given without its indentation: found by its first line then.
        const at =
          [t.raw, body.split("\n")[0]].map((s) => text.indexOf(s, cursor)).find((i) => i >= 0) ?? cursor;
        cursor = at + 1;
        const where = `${file}:${text.slice(0, at).split("\n").length}`;
        const own: { secrets: string[] } = { secrets: [] };
        for (const doc of parseAllDocuments(body)) {
          expect(
            doc.errors.map((e) => e.message),
            `${where}: YAML`,
          ).to.deep.equal([]);
          const value: unknown = doc.toJS();
          if (value === null || typeof value !== "object") continue;
          const map = value as Record<string, unknown>;
          const config = (map.config ?? map) as Record<string, unknown>;
          if (!Object.keys(config).some((k) => k.startsWith(`${PROJECT}:`))) continue;
          const topology = config[TOPOLOGY];
          out.push({
            where,
            file,
            section,
            yaml: String(doc),
            config,
            ...(typeof topology === "string" ? { topology } : {}),
            // Filled in as the section's later blocks are read.
            secrets: own.secrets,
          });
        }
        open = [own];
      }
    }
  }
  return out;
}

/** A stand-in for a secret the operator sets: the stacks' own where they have one (it has a format). */
export function standInSecret(key: string): string {
  return Object.values(STACK_SECRETS).find((s) => key in s)?.[key] ?? `stand-in-${key}`;
}

/**
 * Overrides that make `evaluateStack(stack, ...)` run a whole stack example on its own: every key
 * of Pulumi.<stack>.yaml and of the stack's secret config removed, the example's keys and the
 * secrets its doc sets put in.
 */
export function onItsOwnOverrides(stack: string, example: DocExample): ConfigOverrides {
  const file = readStackFile(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  const out: ConfigOverrides = {};
  for (const k of [...file.keys(), ...Object.keys(STACK_SECRETS[stack] ?? {}).map((s) => `${PROJECT}:${s}`)])
    out[k] = undefined;
  Object.assign(out, example.config);
  for (const s of example.secrets) out[`${PROJECT}:${s}`] = new StackSecret(standInSecret(s));
  return out;
}
