// Every relative link in README.md and docs/ must stay inside this repository and name a file or
// folder that exists: a reader of a clone has nothing beside it. Links are found with the
// Markdown parser that ships in Prettier (remark's mdast: links, images, reference definitions),
// so code spans and fenced code are not mistaken for links.
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { ParserOptions } from "prettier";
import { parsers } from "prettier/plugins/markdown";
import { REPO_ROOT } from "./upstream";

interface MdNode {
  type: string;
  url?: string;
  position?: { start: { line: number } };
  children?: MdNode[];
}

function urls(node: MdNode): { url: string; line: number }[] {
  const own = node.url !== undefined ? [{ url: node.url, line: node.position?.start.line ?? 0 }] : [];
  return [...own, ...(node.children ?? []).flatMap(urls)];
}

/** Problems with the relative links of one Markdown file at `file` (absolute path). */
async function linkProblems(file: string, text: string, root = REPO_ROOT): Promise<string[]> {
  const ast = (await parsers.markdown.parse(text, {} as ParserOptions)) as MdNode;
  const problems: string[] = [];
  for (const { url, line } of urls(ast)) {
    // Web links (any scheme, or protocol-relative) and in-page anchors are not files.
    if (/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url)) continue;
    const path = decodeURI(url.replace(/[?#].*$/, ""));
    // GitHub resolves a leading "/" against the repository root.
    const target = path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
    const where = `${relative(root, file)}:${line} ${url}`;
    if (target !== root && !target.startsWith(root + sep)) problems.push(`${where}: leaves the repository`);
    else if (!existsSync(target)) problems.push(`${where}: no such file in the repository`);
  }
  return problems;
}

describe("documentation links", () => {
  const docs = [
    join(REPO_ROOT, "README.md"),
    ...readdirSync(join(REPO_ROOT, "docs"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(REPO_ROOT, "docs", f)),
  ];

  it("stay inside the repository and name files that exist", async () => {
    expect(docs.length).to.be.greaterThan(5);
    const problems = (await Promise.all(docs.map((f) => linkProblems(f, readFileSync(f, "utf8"))))).flat();
    expect(problems).to.deep.equal([]);
  });

  it("catches a link out of the checkout and one to a missing file, not code or web links", async () => {
    const text = [
      "Design: [notes](../shared/DESIGN.md), [gone](docs/nope.md), [ok](docs/policy.md#table).",
      "Web: <https://example.com>, [root](/package.json), `[code](../x.md)`, [anchor](#features).",
      "",
      "    [indented](../code.md)",
      "",
      "[ref]: ../../outside.md",
    ].join("\n");
    expect(await linkProblems(join(REPO_ROOT, "README.md"), text)).to.deep.equal([
      "README.md:1 ../shared/DESIGN.md: leaves the repository",
      "README.md:1 docs/nope.md: no such file in the repository",
      "README.md:6 ../../outside.md: leaves the repository",
    ]);
  });
});
