// scripts/drift-report.sh, the drift workflow's report: run with a stand-in `gh` on PATH that
// records its calls and answers as gh does after its --jq filter (the failed jobs' names, the
// open issue's number).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { REPO_ROOT } from "./upstream";

const SCRIPT = path.join(REPO_ROOT, "scripts", "drift-report.sh");

function report(
  failedJobs: string[],
  openIssue: string,
): { status: number | null; calls: string[][]; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-report-"));
  try {
    const log = path.join(dir, "calls");
    fs.writeFileSync(
      path.join(dir, "gh"),
      [
        "#!/usr/bin/env bash",
        // One call per line, arguments NUL-separated.
        `printf '%s\\0' "$@" >> ${JSON.stringify(log)}; echo >> ${JSON.stringify(log)}`,
        'case "$1 $2" in',
        `  "api --paginate") printf '%s\\n' ${failedJobs.map((j) => JSON.stringify(j)).join(" ")} ;;`,
        `  "issue list") printf '%s' ${JSON.stringify(openIssue)} ;;`,
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
    const res = spawnSync("bash", [SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        GITHUB_REPOSITORY: "acme/harbor-platform",
        GITHUB_RUN_ID: "42",
        GITHUB_SERVER_URL: "https://github.com",
      },
    });
    const calls = fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("\0").filter((a) => a !== ""))
      : [];
    return { status: res.status, calls, out: `${res.stdout}${res.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("scripts/drift-report.sh", () => {
  it("opens an issue for a stack whose drift job failed, linking the run", () => {
    const r = report(["drift (prod)", "report"], "");
    expect(r.status, r.out).to.equal(0);
    expect(r.calls[0].slice(0, 3)).to.deep.equal([
      "api",
      "--paginate",
      "repos/acme/harbor-platform/actions/runs/42/jobs",
    ]);
    const create = r.calls.find((c) => c[0] === "issue" && c[1] === "create");
    expect(create?.slice(0, 6)).to.deep.equal([
      "issue",
      "create",
      "--repo",
      "acme/harbor-platform",
      "--title",
      "Drift in stack prod",
    ]);
    expect(create?.[7]).to.include("https://github.com/acme/harbor-platform/actions/runs/42");
    expect(r.calls.some((c) => c[1] === "comment")).to.equal(false);
  });

  it("comments on the stack's open issue instead of opening another, one per failed stack", () => {
    const r = report(["drift (dev)", "drift (prod)"], "12");
    expect(r.status, r.out).to.equal(0);
    const comments = r.calls.filter((c) => c[0] === "issue" && c[1] === "comment");
    expect(comments.map((c) => c[2])).to.deep.equal(["12", "12"]);
    const searches = r.calls
      .filter((c) => c[0] === "issue" && c[1] === "list")
      .map((c) => c[c.indexOf("--search") + 1]);
    expect(searches).to.deep.equal(['"Drift in stack dev" in:title', '"Drift in stack prod" in:title']);
    expect(r.calls.some((c) => c[1] === "create")).to.equal(false);
  });

  it("touches no issue when no drift job failed", () => {
    const r = report([], "");
    expect(r.status, r.out).to.equal(0);
    expect(r.calls.filter((c) => c[0] === "issue")).to.deep.equal([]);
    expect(r.out).to.include("no drift job failed");
  });
});
