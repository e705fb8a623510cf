// The restricted-network docs hold: the README gives each mode (proxy, Trivy from a repository,
// Trivy offline, air-gapped mirror, Harbor as its own mirror, mirror and proxy) a whole stack
// file, which the program runs on its own with only the secrets the README sets (a missing
// required key or secret fails), docs/restricted-networks.md's fragments run on the prod stack,
// and the offline seeding commands, run for real with a stand-in kubectl that maps each pod's
// filesystem to a folder, put the databases where the pinned chart says Trivy reads them (harbor-helm 1.19.2 values.yaml: trivy.skipUpdate, trivy.skipJavaDBUpdate).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { lexer, type Token, type Tokens } from "marked";
import { HARBOR_PODS } from "../../components/platform/flows";
import { ROOT, evaluateStack } from "../harness";
import { documentedExamples, onItsOwnOverrides } from "../docs/examples";
import { upstreamFile } from "../upstream";

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

/** A fragment's `harbor-platform:` keys, without the prefix (as evaluateStack's overrides). */
const keys = (config: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^harbor-platform:/, ""), v]));

/** The README's section for each restricted-network mode: each gives a whole stack file. */
const MODES = [
  "Behind a corporate proxy",
  "Trivy from an internal repository",
  "Trivy offline",
  "Air-gapped sites (`mirror`)",
  "Harbor as its own mirror",
  "Mirror and proxy together",
];
/** Fragments of docs/restricted-networks.md, added to the prod stack file. */
const DOC_SECTIONS = ["An internal repository"];

describe("docs: restricted networks", () => {
  const all = documentedExamples(["README.md", "docs/restricted-networks.md"]);
  const examples = all.filter((e) =>
    e.file === "README.md" ? MODES.includes(e.section) : DOC_SECTIONS.includes(e.section),
  );

  it("gives each mode one whole stack file (with its topology), and the doc's fragments", () => {
    for (const mode of MODES) {
      const whole = examples.filter((e) => e.file === "README.md" && e.section === mode && e.topology);
      expect(
        whole.map((e) => e.where),
        mode,
      ).to.have.length(1);
    }
    for (const section of DOC_SECTIONS)
      expect(examples.filter((e) => e.section === section).length, section).to.be.greaterThan(0);
  });

  for (const example of examples) {
    const { where, topology, section } = example;
    it(`${where} (${section}): ${topology ? `a whole ${topology} stack, run on its own` : "added to prod"}`, async () => {
      // A whole stack file replaces the stack's own, its secrets only those its doc sets; a
      // fragment goes on top of the prod stack file.
      const run = topology
        ? await evaluateStack(topology, onItsOwnOverrides(topology, example))
        : await evaluateStack("prod", keys(example.config));
      expect(run.resources.length).to.be.above(10);
    });
  }

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
