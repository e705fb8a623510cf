// scripts/fetch-upstream.mjs run for real as a child process, against a local HTTP server that
// serves the pinned files at raw.githubusercontent.com's <owner>/<repo>/<commit>/<path> layout
// (from the data the resolver finds), so no network is needed. A filled cache must be complete and
// found by the suite's resolver; any failure must be one stderr line, exit 1 and no folder left.
import { expect } from "chai";
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartData } from "./conformance/upstream";
import { CACHE_FOLDER, ENV_VAR, locateUpstream, REPO_ROOT, upstreamDir, upstreamFile } from "./upstream";

interface Source {
  repo: string;
  commit: string;
  path: string;
  sha256: string;
}
type Sources = Record<string, { files: Record<string, Source> }>;

const SCRIPT = join(REPO_ROOT, "scripts", "fetch-upstream.mjs");
const SOURCES_FILE = join(REPO_ROOT, "scripts", "upstream-sources.json");
const sources = JSON.parse(readFileSync(SOURCES_FILE, "utf8")) as Sources;
const listed = Object.entries(sources).flatMap(([folder, { files }]) =>
  Object.entries(files).map(([file, source]) => ({ folder, file, source })),
);

/** Serves every listed file at `/<repo>/<commit>/<path>`; `override` changes one answer. */
function serve(
  override?: (url: string) => { status: number; body: string } | undefined,
): Promise<http.Server> {
  const byUrl = new Map(listed.map((l) => [`/${l.source.repo}/${l.source.commit}/${l.source.path}`, l]));
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    const forced = override?.(url);
    const hit = byUrl.get(url);
    if (forced) res.writeHead(forced.status).end(forced.body);
    else if (hit) res.writeHead(200).end(readFileSync(upstreamFile(hit.folder, hit.file)));
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const baseUrl = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const close = (server: http.Server) => new Promise((resolve) => server.close(resolve));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs the script asynchronously: the server answering it lives in this process. */
function fetchUpstream(script: string, base: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, FETCH_UPSTREAM_BASE_URL: base } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe("scripts/fetch-upstream.mjs", function () {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "fetch-upstream-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("lists every pinned data file the suite's upstream folder holds", () => {
    const present = readdirSync(upstreamDir(), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(upstreamDir(), d.name)).map((f) => `${d.name}/${f}`))
      .filter((f) => !f.endsWith("/SOURCE.md"));
    expect(listed.map((l) => `${l.folder}/${l.file}`)).to.have.members(present);
  });

  it("fills a complete cache at the checkout's default place, which the resolver then uses", async () => {
    // A throwaway checkout (no `shared` beside it) holding only the script and its table.
    const checkout = join(tmp, "checkout");
    mkdirSync(join(checkout, "scripts"), { recursive: true });
    copyFileSync(SCRIPT, join(checkout, "scripts", "fetch-upstream.mjs"));
    copyFileSync(SOURCES_FILE, join(checkout, "scripts", "upstream-sources.json"));
    const server = await serve();
    const run = await fetchUpstream(join(checkout, "scripts", "fetch-upstream.mjs"), baseUrl(server));
    await close(server);
    expect(run, run.stderr).to.include({ code: 0, stderr: "" });

    const cache = join(checkout, CACHE_FOLDER);
    expect(locateUpstream(checkout, {})).to.equal(cache);
    for (const { folder, file } of listed) {
      expect(readFileSync(join(cache, folder, file)), `${folder}/${file}`).to.deep.equal(
        readFileSync(upstreamFile(folder, file)),
      );
    }
    expect(readdirSync(checkout).sort()).to.deep.equal([CACHE_FOLDER, "scripts"]);
    // The chart reader finds cert-manager's version in the written SOURCE.md (its Chart.yaml is a
    // template upstream), so the whole suite can run from this cache.
    const saved = process.env[ENV_VAR];
    process.env[ENV_VAR] = cache;
    try {
      expect(chartData("cert-manager-chart").chartVersion).to.equal("v1.21.1");
    } finally {
      if (saved === undefined) delete process.env[ENV_VAR];
      else process.env[ENV_VAR] = saved;
    }
  });

  const failures: [string, () => Promise<{ base: string; stop: () => Promise<unknown> }>, RegExp][] = [
    [
      "a file the server does not have (404)",
      async () => {
        const missing = listed[listed.length - 1].source;
        const server = await serve((url) =>
          url.endsWith(missing.path) ? { status: 404, body: "" } : undefined,
        );
        return { base: baseUrl(server), stop: () => close(server) };
      },
      /^fetch-upstream: could not download http:\/\/127\.0\.0\.1:\d+\/\S+ \(HTTP 404\)$/,
    ],
    [
      "a server that is not there",
      async () => {
        const server = await serve();
        const base = baseUrl(server);
        await close(server);
        return { base, stop: () => Promise.resolve() };
      },
      /^fetch-upstream: could not download http:\/\/127\.0\.0\.1:\d+\/\S+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/,
    ],
    [
      "a file whose bytes changed",
      async () => {
        const server = await serve((url) =>
          url.endsWith("/Chart.yaml") ? { status: 200, body: "x" } : undefined,
        );
        return { base: baseUrl(server), stop: () => close(server) };
      },
      /^fetch-upstream: http:\/\/127\.0\.0\.1:\d+\/\S+\/Chart\.yaml does not match its pinned sha256 \(got [0-9a-f]{64}, expected [0-9a-f]{64}\)$/,
    ],
  ];
  for (const [name, start, line] of failures) {
    it(`fails on ${name} in one stderr line, exit 1, and leaves no cache or temporary folder`, async () => {
      const { base, stop } = await start();
      const run = await fetchUpstream(SCRIPT, base, [join(tmp, "cache")]);
      await stop();
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal("");
      expect(run.stderr.endsWith("\n") && run.stderr.split("\n").length).to.equal(2);
      expect(run.stderr.trimEnd()).to.match(line);
      expect(readdirSync(tmp)).to.deep.equal([]);
    });
  }

  it("keeps an existing cache untouched when a refresh fails", async () => {
    const cache = join(tmp, "cache");
    mkdirSync(cache);
    writeFileSync(join(cache, "marker"), "old");
    const server = await serve(() => ({ status: 500, body: "" }));
    const run = await fetchUpstream(SCRIPT, baseUrl(server), [cache]);
    await close(server);
    expect(run.code).to.equal(1);
    expect(readdirSync(tmp)).to.deep.equal(["cache"]);
    expect(existsSync(join(cache, "marker"))).to.equal(true);
  });
});
