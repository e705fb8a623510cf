// The smoke test after an upgrade: the Job's own script (smoke-test.py, as the stack's Job passes
// it to python3) run for real against a Harbor stand-in. Its API calls go to the spec-checked fake
// Harbor (test/fakes/harbor.ts: every request and answer held to Harbor 2.15.2's swagger); its
// registry calls to a registry stand-in here that speaks the distribution API as Harbor's core
// proxies it: bearer tokens from /service/token scoped per repository and action, uploads with an
// absolute Location on another host, digests verified on upload and named on every answer.
import { spawn } from "child_process";
import { createHash, randomUUID } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { expect } from "chai";
import { FakeHarbor } from "../fakes/harbor";
import { at, evaluateStack } from "../harness";

type Headers = Record<string, string>;
const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const OCI = "application/vnd.oci.image.manifest.v1+json";

/** Harbor's core in front of the fake: /api/v2.0 to the fake Harbor, the token service and /v2 here. */
class HarborFront {
  url = "";
  /** The proxy cache's upstream answers (false: it has nothing, as Harbor 2.15.0 with Docker Hub). */
  proxyWorks = true;
  /**
   * How a pushed manifest comes back: as stored, with another body (a registry serving other
   * bytes under the tag), or with the right body under another digest.
   */
  manifestPull: "intact" | "otherBody" | "otherDigest" = "intact";
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { body: Buffer; type: string }>();
  private readonly tokens = new Map<string, Set<string>>();
  private readonly uploads = new Set<string>();
  private server?: http.Server;

  constructor(private readonly harbor: FakeHarbor) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, headers: Headers = {}, data?: Buffer | string) => {
      res.writeHead(status, headers);
      res.end(data);
    };
    if (url.pathname.startsWith("/api/v2.0/")) {
      // Forwarded as core would serve it (the fake checks it against the spec).
      const answer = await fetch(`${this.harbor.url}${req.url}`, {
        method: req.method,
        headers: req.headers as Headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      return send(answer.status, Object.fromEntries(answer.headers), Buffer.from(await answer.arrayBuffer()));
    }
    if (url.pathname === "/service/token") return this.token(req, url, send);
    const m = /^\/v2\/(.+)\/(blobs|manifests)\/(uploads\/)?([^/]*)$/.exec(url.pathname);
    if (!m) return send(404);
    const [, repo, kind, upload, ref] = m;
    const action = req.method === "GET" || req.method === "HEAD" ? "pull" : "push";
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!auth || !this.tokens.get(auth)?.has(`${repo}:${action}`))
      return send(401, {
        "WWW-Authenticate": `Bearer realm="${this.url}/service/token",service="harbor-registry"`,
      });
    if (kind === "blobs" && upload && req.method === "POST") {
      const id = randomUUID();
      this.uploads.add(id);
      // Absolute, on a host this client cannot reach: it must keep its own base URL.
      return send(202, {
        Location: `https://registry.internal.invalid/v2/${repo}/blobs/uploads/${id}?_state=s${id}`,
      });
    }
    if (kind === "blobs" && upload && req.method === "PUT") {
      if (!this.uploads.delete(ref) || url.searchParams.get("_state") !== `s${ref}`) return send(404);
      const digest = url.searchParams.get("digest");
      if (digest !== sha(body)) return send(400, {}, "DIGEST_INVALID");
      this.blobs.set(digest, body);
      return send(201, { "Docker-Content-Digest": digest });
    }
    if (kind === "blobs") {
      const blob = this.blobs.get(ref);
      if (!blob) return send(404);
      return send(200, { "Docker-Content-Digest": ref }, req.method === "HEAD" ? undefined : blob);
    }
    if (req.method === "PUT") {
      if (req.headers["content-type"] !== OCI) return send(400, {}, "MANIFEST_INVALID");
      const manifest = JSON.parse(body.toString()) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      if (![manifest.config, ...manifest.layers].every((d) => this.blobs.has(d.digest)))
        return send(400, {}, "MANIFEST_BLOB_UNKNOWN");
      this.manifests.set(`${repo}:${ref}`, { body, type: OCI });
      this.harbor.repositories.add(repo);
      return send(201, { "Docker-Content-Digest": sha(body) });
    }
    if (repo.startsWith("dockerhub/")) {
      // The proxy cache: Harbor fetches the manifest from upstream on the first pull.
      if (!this.proxyWorks) return send(404, {}, `artifact ${repo}:${ref} not found`);
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
      const type = "application/vnd.oci.image.index.v1+json";
      if (!String(req.headers.accept).includes(type)) return send(406);
      return send(200, { "Content-Type": type, "Docker-Content-Digest": sha(index) }, index);
    }
    const found = this.manifests.get(`${repo}:${ref}`);
    if (!found) return send(404);
    // Another body that is still the same JSON: only a byte-wise comparison tells it apart.
    const served =
      this.manifestPull === "otherBody"
        ? Buffer.from(JSON.stringify(JSON.parse(found.body.toString())))
        : found.body;
    const digest = this.manifestPull === "otherDigest" ? sha(Buffer.from("another manifest")) : sha(served);
    return send(200, { "Content-Type": found.type, "Docker-Content-Digest": digest }, served);
  }

  /** Harbor's token service: a robot's basic auth, the scope's actions it holds on that project. */
  private token(req: http.IncomingMessage, url: URL, send: (s: number, h?: Headers, d?: string) => void) {
    const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const [name, secret] = [basic.slice(0, basic.indexOf(":")), basic.slice(basic.indexOf(":") + 1)];
    const robot = [...this.harbor.state.robots.values()].find((r) => r.name === name && r.secret === secret);
    if (!robot || url.searchParams.get("service") !== "harbor-registry") return send(401);
    const [, repo, actions] = /^repository:([^:]+):(.+)$/.exec(url.searchParams.get("scope") ?? "") ?? [];
    const project = repo?.split("/")[0];
    const perms = robot.permissions as { namespace: string; access: { action: string }[] }[];
    const granted = new Set(
      (actions ?? "")
        .split(",")
        .filter((a) => perms.some((p) => p.namespace === project && p.access.some((x) => x.action === a)))
        .map((a) => `${repo}:${a}`),
    );
    const token = randomUUID();
    this.tokens.set(token, granted);
    send(200, { "Content-Type": "application/json" }, JSON.stringify({ token }));
  }
}

describe("smoke test after an upgrade, the Job's script run for real", function () {
  this.timeout(60_000);
  let script: string;
  let env: Record<string, string>;
  let harbor: FakeHarbor;
  let front: HarborFront;

  before(async () => {
    const run = await evaluateStack("prod");
    const job = run.one("kubernetes:batch/v1:Job", "harbor-platform-smoke-test");
    const container = (
      at(job.inputs, "spec.template.spec.containers") as {
        command: string[];
        env: { name: string; value?: string }[];
      }[]
    )[0];
    expect(container.command.slice(0, 2)).to.deep.equal(["python3", "-c"]);
    script = container.command[2];
    // The Job's own settings, pointed at the stand-in (its admin password comes from a Secret there).
    env = Object.fromEntries(
      container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
    );
  });

  beforeEach(async () => {
    harbor = await new FakeHarbor().start();
    front = new HarborFront(harbor);
    await front.start();
    // The proxy-cache project Harbor's configuration created before the test runs.
    const created = await fetch(`${harbor.url}/api/v2.0/projects`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${harbor.username}:${harbor.password}`).toString("base64")}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ project_name: "dockerhub", metadata: { public: "false" } }),
    });
    expect(created.status).to.equal(201);
  });
  afterEach(async () => {
    await front.stop();
    await harbor.stop();
  });

  async function smoke(extra: Record<string, string> = {}): Promise<{ status: number | null; out: string }> {
    const child = spawn("python3", ["-c", script], {
      env: {
        PATH: process.env.PATH,
        ...env,
        HARBOR_URL: front.url,
        ADMIN_PASSWORD: harbor.password,
        CA_FILE: "",
        RETRY_SECONDS: "0",
        ...extra,
      },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { status, out };
  }

  it("checks health and version, pushes and pulls with a robot, pulls through the proxy cache, and leaves nothing behind", async () => {
    const r = await smoke();
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include("ok: every component healthy, Harbor 2.15.2");
    expect(r.out).to.match(
      /ok: robot\$smoke-\d+ pushed and pulled harbor-platform-smoke\/smoke-test:run-\d+/,
    );
    expect(r.out).to.include("ok: pulled dockerhub/library/hello-world:latest through the proxy cache");
    expect(harbor.violations).to.deep.equal([]);
    // A pushed layer and config, digests verified on the way in.
    expect(front.blobs.size).to.equal(2);
    // Robot, repository and project removed; the proxy project untouched.
    expect([...harbor.state.robots.values()]).to.deep.equal([]);
    expect(harbor.repositories.size).to.equal(0);
    expect([...harbor.state.projects.values()].map((p) => p.name)).to.deep.equal(["dockerhub"]);
  });

  it("fails the Job when the proxy cache cannot pull (Harbor 2.15.0 and Docker Hub), after cleaning up", async () => {
    front.proxyWorks = false;
    const r = await smoke();
    expect(r.status).to.equal(1);
    expect(r.out).to.include(
      "smoke test FAILED: GET /v2/dockerhub/library/hello-world/manifests/latest: HTTP 404 b'artifact dockerhub/library/hello-world:latest not found'",
    );
    expect([...harbor.state.robots.values()]).to.deep.equal([]);
    expect(harbor.violations).to.deep.equal([]);
  });

  it("fails the Job when the pulled manifest is not the pushed one, after cleaning up", async () => {
    front.manifestPull = "otherBody";
    const r = await smoke();
    expect(r.status, r.out).to.equal(1);
    expect(r.out).to.match(
      /smoke test FAILED: pulled manifest of harbor-platform-smoke\/smoke-test:run-\d+ differs from the pushed one/,
    );
    expect([...harbor.state.robots.values()]).to.deep.equal([]);
    expect([...harbor.state.projects.values()].map((p) => p.name)).to.deep.equal(["dockerhub"]);
  });

  it("fails the Job when the registry names another digest for the pushed manifest", async () => {
    front.manifestPull = "otherDigest";
    const r = await smoke();
    expect(r.status, r.out).to.equal(1);
    expect(r.out).to.match(
      /smoke test FAILED: registry names a different digest for harbor-platform-smoke\/smoke-test:run-\d+/,
    );
  });

  it("fails the Job when a component stays unhealthy, creating nothing", async () => {
    harbor.health.jobservice = "unhealthy";
    const r = await smoke({ HEALTH_WAIT_SECONDS: "0" });
    expect(r.status).to.equal(1);
    expect(r.out).to.include("smoke test FAILED: Harbor is not healthy: jobservice");
    expect([...harbor.state.projects.values()].map((p) => p.name)).to.deep.equal(["dockerhub"]);
  });

  it("fails the Job when Harbor runs another release than the one deployed", async () => {
    harbor.harborVersion = "v2.15.1-5d1e0a8f";
    const r = await smoke();
    expect(r.status).to.equal(1);
    expect(r.out).to.include("smoke test FAILED: Harbor runs v2.15.1-5d1e0a8f, expected v2.15.2");
  });
});
