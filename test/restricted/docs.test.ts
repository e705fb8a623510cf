// The restricted-network docs hold: each stack example in the README's "Behind a corporate
// proxy" and "Trivy without internet" sections (and in docs/restricted-networks.md) is a stack
// the program accepts, and the offline seeding commands, run for real with a stand-in kubectl
// that maps each pod's filesystem to a folder, put the databases where the pinned chart says
// Trivy reads them (harbor-helm 1.19.2 values.yaml: trivy.skipUpdate, trivy.skipJavaDBUpdate).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { lexer, type Token, type Tokens } from "marked";
import { parse as parseYaml } from "yaml";
import { HARBOR_PODS } from "../../components/platform/flows";
import { ROOT, evaluateStack } from "../harness";
import { upstreamFile } from "../upstream";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "restricted-networks.md"), "utf8");

/** The fenced code blocks of `lang` under the heading `title` (up to the next heading as high). */
function blocks(markdown: string, title: string, lang: string): string[] {
  const tokens = lexer(markdown);
  const start = tokens.findIndex((t) => t.type === "heading" && (t as Tokens.Heading).text === title);
  if (start < 0) throw new Error(`no heading "${title}"`);
  const depth = (tokens[start] as Tokens.Heading).depth;
  const end = tokens.findIndex(
    (t, i) => i > start && t.type === "heading" && (t as Tokens.Heading).depth <= depth,
  );
  return tokens
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((t: Token): t is Tokens.Code => t.type === "code" && (t as Tokens.Code).lang === lang)
    .map((t) => t.text);
}

/** A stack example's `harbor-platform:` keys, without the prefix (as evaluateStack's overrides). */
function keys(yaml: string): Record<string, unknown> {
  const doc = parseYaml(yaml) as Record<string, unknown>;
  const config = (doc.config ?? doc) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^harbor-platform:/, ""), v]));
}

describe("docs: restricted networks", () => {
  const examples: [string, string, string][] = [
    ...blocks(README, "Behind a corporate proxy", "yaml").map((y): [string, string, string] => [
      "README proxy",
      "dev",
      y,
    ]),
    ...blocks(README, "Trivy without internet", "yaml").map((y): [string, string, string] => [
      "README Trivy",
      y.includes("Pulumi.dev.yaml") ? "dev" : "prod",
      y,
    ]),
    ...blocks(DOC, "An internal repository", "yaml").map((y): [string, string, string] => [
      "docs Trivy",
      "prod",
      y,
    ]),
  ];

  it("has the examples it promises", () => {
    expect(examples.map(([where]) => where)).to.include.members([
      "README proxy",
      "README Trivy",
      "docs Trivy",
    ]);
  });

  for (const [where, stack, yaml] of examples)
    it(`${where}: the ${stack} example is a stack the program accepts (${yaml.split("\n")[0]})`, async () => {
      const over = keys(yaml);
      // A complete stack file replaces the stack's own; an addition goes on top of it.
      const run = await evaluateStack(stack, over);
      expect(run.resources.length).to.be.above(10);
      if (over.trivy) expect(JSON.stringify(over.trivy)).to.not.equal("{}");
    });

  it("the offline seeding commands put both databases where the chart says Trivy reads them", () => {
    const values = fs.readFileSync(upstreamFile("harbor-helm", "values.yaml"), "utf8");
    const expected = [...values.matchAll(/`(\/home\/scanner\/\.cache\/trivy\/[a-z-]+\/[a-z.-]+\.db)`/g)].map(
      (m) => m[1],
    );
    expect(expected).to.include.members([
      "/home/scanner/.cache/trivy/db/trivy.db",
      "/home/scanner/.cache/trivy/java-db/trivy-java.db",
    ]);

    const [pull, seed] = blocks(DOC, "Offline: seed the databases before the first scan", "sh");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "trivy-seed-"));
    try {
      // What `oras pull` leaves: the two archives, each holding its database and metadata.json.
      for (const [archive, db] of [
        ["db.tar.gz", "trivy.db"],
        ["javadb.tar.gz", "trivy-java.db"],
      ]) {
        const src = fs.mkdtempSync(path.join(work, "src-"));
        fs.writeFileSync(path.join(src, db), `${db} content`);
        fs.writeFileSync(path.join(src, "metadata.json"), `{"Version":2,"for":"${db}"}`);
        execFileSync("tar", ["-czf", path.join(work, archive), "-C", src, db, "metadata.json"]);
      }
      // A kubectl that lists two Trivy pods (only for the labels the chart gives them) and runs
      // `exec` locally with /home/scanner mapped to a folder per pod.
      const bin = path.join(work, "bin");
      fs.mkdirSync(bin);
      const selector = Object.entries({ ...HARBOR_PODS, component: "trivy" })
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      fs.writeFileSync(
        path.join(bin, "kubectl"),
        [
          "#!/bin/bash",
          'if [ "$1" = -n ]; then shift 2; fi',
          'case "$1" in',
          `  get) [ "$4" = ${selector} ] || { echo "unexpected selector $4" >&2; exit 1; }`,
          "       printf 'pod/harbor-trivy-0\\npod/harbor-trivy-1\\n' ;;",
          '  exec) shift; [ "$1" = -i ] && shift; pod=${1#pod/}; shift; [ "$1" = -- ] && shift',
          '        root="$PODS/$pod"; args=(); for a in "$@"; do args+=("${a//\\/home\\/scanner/$root}"); done',
          '        "${args[@]}" ;;',
          '  *) echo "unexpected kubectl $*" >&2; exit 1 ;;',
          "esac",
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const pods = path.join(work, "pods");
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PODS: pods };
      // The pull block without its `oras` lines (the archives stand in), then the seeding loop.
      const unpack = pull
        .split("\n")
        .filter((l) => !l.startsWith("oras "))
        .join("\n");
      execFileSync("bash", ["-euo", "pipefail", "-c", `${unpack}\n${seed}`], { cwd: work, env });
      for (const pod of ["harbor-trivy-0", "harbor-trivy-1"])
        for (const file of expected) {
          const local = path.join(pods, pod, file.replace("/home/scanner/", ""));
          expect(fs.readFileSync(local, "utf8"), `${pod}: ${file}`).to.equal(
            `${path.basename(file)} content`,
          );
          expect(
            fs.existsSync(path.join(path.dirname(local), "metadata.json")),
            `${pod}: metadata beside ${file}`,
          ).to.equal(true);
        }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
