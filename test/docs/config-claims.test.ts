// Holds what README.md and docs/ say about configuration to the schema (config/schema/), the one
// definition of every key: a key path named in a code span or a `harbor-platform:` reference
// must exist there (a renamed or misspelt key fails), and a default stated beside a key must be
// the schema's, per topology where the doc says which. The README's generated sections are left
// out: they are the schema's and the pins' own text (test/config/schema.test.ts and
// test/mirror/readme.test.ts keep them current). Documented YAML examples are parsed by
// test/config/pulumi-cli.test.ts.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { lexer, type Token, type Tokens } from "marked";
import { FOREIGN_KEYS, KEYS } from "../../config/schema";
import { TOPOLOGIES, appliesTo, type KeyDef, type Topology } from "../../config/schema/define";
import { didYouMean } from "../../config/schema/errors";
import { fieldsOf } from "../../config/schema/generate";
import { REPO_ROOT } from "../upstream";
import { docFiles } from "./files";

// ---- the schema: every key and field path, with its default per topology -----------------

const DEFS: Readonly<Record<string, KeyDef>> = { ...KEYS, ...FOREIGN_KEYS };
const KEY_NAMES = Object.keys(DEFS);

type Defaults = Partial<Record<Topology, string>>;

const plain = (text: string): string => text.replace(/`/g, "").trim();
const shown = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Path (`dr.rpoMinutes`, `harborConfig.robots[].name`) -> its default in each topology that reads it. */
const SCHEMA = new Map<string, Defaults>();
for (const [name, def] of Object.entries(DEFS)) {
  const topologies = TOPOLOGIES.filter((t) => appliesTo(def, t));
  const own: Defaults = {};
  for (const t of topologies) {
    const text =
      def.defaultText?.[t] ?? (def.defaults?.[t] === undefined ? undefined : shown(def.defaults[t]));
    if (text !== undefined) own[t] = plain(text);
  }
  SCHEMA.set(name, own);
  for (const f of fieldsOf(def.schema, name)) {
    const d: Defaults = {};
    for (const t of topologies) {
      const text = typeof f.defaultText === "string" ? f.defaultText : f.defaultText?.[t];
      if (text !== undefined && text !== "required") d[t] = plain(text);
    }
    SCHEMA.set(f.path, d);
  }
}

/** A map's entries are named by the stack: `<name>` in a schema path stands for any one. */
const MAP_PATHS = [...SCHEMA.keys()]
  .filter((p) => p.includes("<name>"))
  .map((p) => new RegExp(`^${p.replace(/[.[\]]/g, "\\$&").replace("<name>", "[^.\\[]+")}$`));

/** Whether the schema defines `ref`; `[0]` indexes a list like `[]`, `.*` stands for every field. */
function defined(ref: string): boolean {
  const p = ref.replace(/\[\d*\]/g, "[]");
  // An element of a list of scalars (`proxy.cidrs[0]`) is the list's own path.
  if (p.endsWith("[]") && !SCHEMA.has(p) && SCHEMA.has(p.slice(0, -2))) return true;
  if (p.endsWith(".*")) return [...SCHEMA.keys()].some((k) => k.startsWith(p.slice(0, -1)));
  return SCHEMA.has(p) || MAP_PATHS.some((re) => re.test(p));
}

/**
 * Names the docs give whose first segment is, or is close to, a key of ours but that are no
 * config keys: Helm values of the charts (Harbor's `database.internal.password`, `expose.type`,
 * its Trivy values), a host name (`mirror.gcr.io`, Trivy's default database registry) and a CRD
 * name (`objectstores.barmancloud.cnpg.io`, which an existing CloudNativePG must serve).
 */
const CHART_VALUES = new Set([
  "database.internal.password",
  "expose.type",
  "trivy.topologySpreadConstraints",
  "trivy.podAnnotations",
  "trivy.gitHubToken",
  "mirror.gcr.io",
  "objectstores.barmancloud.cnpg.io",
]);

// ---- the documents ---------------------------------------------------------------------------

/** The text with its generated sections blanked (lines kept, so line numbers still hold). */
const withoutGenerated = (text: string): string =>
  text.replace(
    /(<!-- ([\w-]+):start[^\n]*-->)([\s\S]*?)(<!-- \2:end -->)/g,
    (_m, start: string, _name: string, body: string, end: string) => start + body.replace(/[^\n]/g, "") + end,
  );

/** A run of prose read as one unit: a paragraph, heading, list item's text or table cell. */
interface Segment {
  readonly line: number;
  readonly inline: readonly Token[];
  /** The table column's header, for a cell. */
  readonly column?: string;
}

interface Parsed {
  readonly segments: Segment[];
  readonly code: { line: number; text: string }[];
}

function parse(text: string): Parsed {
  const segments: Segment[] = [];
  const code: { line: number; text: string }[] = [];
  let cursor = 0;
  const lineOf = (raw: string): number => {
    const at = text.indexOf(raw, cursor);
    if (at >= 0) cursor = at;
    return text.slice(0, cursor).split("\n").length;
  };
  const visit = (tokens: readonly Token[]): void => {
    for (const t of tokens) {
      const line = lineOf(t.raw);
      if (t.type === "code") code.push({ line, text: (t as Tokens.Code).text });
      else if (t.type === "table") {
        const table = t as Tokens.Table;
        table.rows.forEach((row, r) =>
          row.forEach((cell, c) =>
            segments.push({ line: line + 2 + r, inline: cell.tokens, column: table.header[c]?.text }),
          ),
        );
      } else if (t.type === "list") visit((t as Tokens.List).items.flatMap((i) => i.tokens));
      else if (t.type === "blockquote") visit((t as Tokens.Blockquote).tokens);
      else if ("tokens" in t && Array.isArray(t.tokens)) segments.push({ line, inline: t.tokens as Token[] });
    }
  };
  visit(lexer(text));
  return { segments, code };
}

/** A segment as code spans and text, in order (emphasis and links flattened). */
type Piece = { readonly code: string } | { readonly text: string };
function pieces(inline: readonly Token[]): Piece[] {
  return inline.flatMap((t): Piece[] => {
    if (t.type === "codespan") return [{ code: (t as Tokens.Codespan).text }];
    if ("tokens" in t && Array.isArray(t.tokens) && t.tokens.length > 0) return pieces(t.tokens as Token[]);
    return [{ text: "text" in t && typeof t.text === "string" ? t.text : t.raw }];
  });
}

// ---- the claims ------------------------------------------------------------------------------

/** `dr.rpoMinutes`, `harbor-platform:dr.bucketName`, `objectStore.mode: external`: a key path and maybe a value. */
const KEY_SPAN =
  /^(?:harbor-platform:)?([a-z][A-Za-z0-9]*(?::[a-z][A-Za-z0-9]*)?)((?:\.[A-Za-z*][\w-]*|\[\d*\])*)(?::\s.*)?$/s;
/** `harbor-platform:<path>` inside a command or a YAML block. */
const NAMESPACED = /(--secret\s+)?harbor-platform:([A-Za-z][\w-]*)((?:\.[A-Za-z*][\w-]*|\[\d*\])*)/g;
/** What may stand between a key and the "default" stated for it: a short aside, no sentence end. */
const DEFAULT_AFTER_KEY = /^[^.;)`]{0,40}?\bdefault(?:\s+([^\s,;()`]+)|\s*$)/;
/** "default 4 nodes x 2 drives", "MinIO 4 x 2 drives": the default MinIO layout. */
const MINIO_LAYOUT = /\b(?:default|MinIO) (\d+)(?: nodes)? x (\d+) drives/g;

export interface Claims {
  /** Key references, checked (`file:line `ref``). */
  readonly refs: string[];
  /** Default claims, checked. */
  readonly defaults: string[];
  readonly problems: string[];
}

/** Every configuration claim in one Markdown file, and what is wrong with them. */
export function checkClaims(file: string, markdown: string): Claims {
  const out: Claims = { refs: [], defaults: [], problems: [] };
  const { segments, code } = parse(withoutGenerated(markdown));

  const reference = (where: string, ref: string, secret = false): void => {
    const top = ref.split(/[.[]/)[0];
    out.refs.push(`${where} \`${ref}\``);
    if (CHART_VALUES.has(ref)) return;
    if (top in DEFS) {
      if (!defined(ref)) out.problems.push(`${where}: \`${ref}\` is no key of the schema`);
    } else if (!secret) {
      // A near miss of a key in a key path (`objectStor.nodes`, not `ca.crt`); `--secret` names
      // a secret key the stack sets, which the schema does not list.
      const guess = ref.includes(".") && top.length >= 5 ? didYouMean(top, KEY_NAMES) : undefined;
      if (guess !== undefined && guess !== top)
        out.problems.push(`${where}: \`${ref}\` is no key of the schema (did you mean \`${guess}\`?)`);
    }
  };

  const layout = (where: string, text: string): void => {
    const nodes = SCHEMA.get("objectStore.nodes")?.prod;
    const drives = SCHEMA.get("objectStore.drivesPerNode")?.prod;
    for (const m of text.matchAll(MINIO_LAYOUT)) {
      out.defaults.push(`${where} ${m[0]}`);
      if (m[1] !== nodes || m[2] !== drives)
        out.problems.push(
          `${where}: "${m[0]}", but the schema's default is ${nodes} nodes x ${drives} drives`,
        );
    }
  };

  const claim = (where: string, key: string, value: string, topology: Topology | undefined): void => {
    const defaults = SCHEMA.get(key) ?? {};
    const expected = topology ? [defaults[topology]] : Object.values(defaults);
    out.defaults.push(`${where} \`${key}\` default ${value}`);
    if (!expected.includes(plain(value)))
      out.problems.push(
        `${where}: \`${key}\` default ${value}, but the schema's is ${
          Object.entries(defaults)
            .map(([t, v]) => `${t} ${v}`)
            .join(", ") || "none"
        }`,
      );
  };

  for (const segment of segments) {
    const where = `${file}:${segment.line}`;
    const column = /^(dev|prod)$/.exec(segment.column ?? "")?.[1] as Topology | undefined;
    let key: { path: string; topology?: Topology } | undefined;
    let gap = "";
    let before = "";
    for (const piece of pieces(segment.inline)) {
      if ("text" in piece) {
        before += piece.text;
        if (key === undefined) continue;
        gap += piece.text;
        const m = DEFAULT_AFTER_KEY.exec(gap);
        if (m?.[1] !== undefined) claim(where, key.path, m[1].replace(/\.$/, ""), key.topology);
        if (m === null || m[1] !== undefined) key = undefined;
        continue;
      }
      for (const n of piece.code.matchAll(NAMESPACED)) reference(where, `${n[2]}${n[3]}`, n[1] !== undefined);
      const span = KEY_SPAN.exec(piece.code);
      if (span && !piece.code.startsWith("harbor-platform:")) reference(where, `${span[1]}${span[2]}`);
      if (key !== undefined && DEFAULT_AFTER_KEY.exec(gap))
        claim(where, key.path, `\`${piece.code}\``, key.topology);
      key = undefined;
      const ref = span && !piece.code.includes(": ") ? `${span[1]}${span[2]}` : undefined;
      if (ref !== undefined && SCHEMA.has(ref)) {
        // The topology a statement is about: its table column, else the last one the prose named.
        const named = [...before.matchAll(/\b(dev|prod)\b/g)].pop()?.[1] as Topology | undefined;
        const only = TOPOLOGIES.filter((t) => appliesTo(DEFS[ref.split(/[.[]/)[0]], t));
        key = { path: ref, topology: column ?? named ?? (only.length === 1 ? only[0] : undefined) };
        gap = "";
      }
    }
    layout(
      where,
      pieces(segment.inline)
        .map((p) => ("text" in p ? p.text : p.code))
        .join(""),
    );
  }

  for (const block of code) {
    const where = `${file}:${block.line}`;
    for (const n of block.text.matchAll(NAMESPACED)) reference(where, `${n[2]}${n[3]}`, n[1] !== undefined);
    layout(where, block.text);
  }
  return out;
}

describe("configuration claims in README.md and docs/ (config/schema/ is the truth)", () => {
  const all = docFiles().map((f) => checkClaims(f, fs.readFileSync(path.join(REPO_ROOT, f), "utf8")));

  it("every key path they name is a key or field of the schema", () => {
    expect(all.flatMap((c) => c.refs)).to.have.length.greaterThan(150);
    expect(all.flatMap((c) => c.problems).filter((p) => p.includes("no key"))).to.deep.equal([]);
  });

  it("every default they state beside a key is the schema's (per topology where they say which)", () => {
    expect(all.flatMap((c) => c.defaults)).to.have.length.greaterThan(12);
    expect(all.flatMap((c) => c.problems).filter((p) => !p.includes("no key"))).to.deep.equal([]);
  });

  it("catches a misspelt or renamed key and a wrong default, not keys' neighbours", () => {
    const doc = [
      "Set `dr.rpoMinute` and `objectStor.nodes`; `dr.*`, `harborConfig.robots[0].name`, `alerting.selectorLabels` are fine.",
      "",
      "| | dev | prod |",
      "| --- | --- | --- |",
      "| classes | `nasStorageClass` (ReadWriteMany, default `local-path`) | `localStorageClass` (required, no default) |",
      "| size | `databaseStorageSize` (default 5Gi) | `databaseStorageSize` (default 5Gi) |",
      "",
      "Exposed through `ingressClassName` (default `nginx`); without `zones`, only Harbor's pods prefer",
      "spreading over zones (MinIO's default layout). MinIO 5.4.0 (default 4 nodes x 3 drives). Prod:",
      "`objectStore.driveSize`, default 500Gi.",
      "",
      "```sh",
      "pulumi config set --secret harbor-platform:elkApiKey x",
      "pulumi config set --path 'harbor-platform:databse.instances' 3",
      "pulumi config set --path 'harbor-platform:database.instance' 3",
      "```",
    ].join("\n");
    expect(checkClaims("x.md", doc).problems).to.deep.equal([
      "x.md:1: `dr.rpoMinute` is no key of the schema",
      "x.md:1: `objectStor.nodes` is no key of the schema (did you mean `objectStore`?)",
      "x.md:5: `nasStorageClass` default `local-path`, but the schema's is dev nfs-client",
      "x.md:6: `databaseStorageSize` default 5Gi, but the schema's is dev 5Gi, prod 50Gi",
      "x.md:8: `ingressClassName` default `nginx`, but the schema's is dev traefik, prod traefik",
      'x.md:8: "default 4 nodes x 3 drives", but the schema\'s default is 4 nodes x 2 drives',
      "x.md:12: `databse.instances` is no key of the schema (did you mean `database`?)",
      "x.md:12: `database.instance` is no key of the schema",
    ]);
  });
});
