// NO_PROXY as Go programs read it, held to a real one: Debian's rclone (a Go program whose HTTP
// client takes its proxy from net/http's ProxyFromEnvironment, rclone v1.60.1 and v1.75.0
// fs/fshttp/http.go) runs against a fake proxy that records each CONNECT. Harbor, cert-manager,
// Velero and rclone all decide this way, so goSkipsProxy, which the NetworkPolicies and the
// reachability tests rely on, must agree with it on every case. Then the DR jobs the prod stack
// registers run with their own environment: only the AWS remote may reach the proxy.
import { execFile } from "node:child_process";
import * as net from "node:net";
import { expect } from "chai";
import { goSkipsProxy } from "../../config/proxy";
import { requireRclone } from "../dr/rclone-cli";
import { at, evaluateStack } from "../harness";
import { PROXY_URL, prodBehindProxy } from "./fixtures";

/** A proxy that answers every request with 403 and records its target (`CONNECT host:port`). */
class RecordingProxy {
  readonly seen: string[] = [];
  private readonly server = net.createServer((socket) => {
    socket.once("data", (data) => {
      const [method, target] = data.toString("latin1").split("\r\n")[0].split(" ");
      this.seen.push(method === "CONNECT" ? target : new URL(target).host);
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    });
    socket.on("error", () => undefined);
  });
  url = "";
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One rclone listing, failing fast whichever way it goes; resolves when rclone exits. */
function rclone(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(https?_proxy|no_proxy|aws_ca_bundle|rclone_.*)$/i.test(k),
    ),
  );
  const fast = ["--contimeout", "1s", "--timeout", "2s", "--retries", "1", "--low-level-retries", "1"];
  return new Promise((resolve) => {
    execFile(
      "rclone",
      [...args, ...fast],
      { env: { ...clean, RCLONE_CONFIG: "/nonexistent/rclone.conf", ...env }, timeout: 20_000 },
      () => resolve(),
    );
  });
}

/** An S3 remote on the command line (no config file), fake keys: only the connection matters. */
const s3 = (endpoint: string) =>
  `:s3,provider=Other,endpoint='${endpoint}',access_key_id=k,secret_access_key=s,force_path_style=true:bucket`;

describe("NO_PROXY as Go reads it (Debian's rclone, run against a recording proxy)", function () {
  this.timeout(90_000);
  const proxy = new RecordingProxy();
  before(async () => {
    requireRclone();
    await proxy.start();
  });
  after(() => proxy.stop());

  // The shapes the program writes and users give: suffixes, whole names, CIDRs, IPs, ports.
  const noProxy = [
    ".svc",
    ".cluster.local",
    "kubernetes.default.svc",
    "10.96.0.0/12",
    "corp.example.com",
    ".internal.example.org",
    "*.wild.example.net",
    "192.0.2.7",
    "192.0.2.8:9000",
    "s3.example.com:8443",
  ];
  const targets: [string, number][] = [
    ["minio.minio.svc", 9000],
    ["minio.minio.svc.cluster.local", 9000],
    ["svc", 9443],
    ["kubernetes.default.svc", 443],
    ["10.96.0.1", 443],
    ["10.112.0.1", 443],
    ["corp.example.com", 443],
    ["sso.corp.example.com", 443],
    ["xcorp.example.com", 443],
    ["internal.example.org", 443],
    ["elk.internal.example.org", 9200],
    ["wild.example.net", 443],
    ["a.wild.example.net", 443],
    ["192.0.2.7", 8443],
    ["192.0.2.8", 9000],
    ["192.0.2.8", 9001],
    ["s3.example.com", 8443],
    ["s3.example.com", 444],
    ["s3.eu-central-1.amazonaws.com", 443],
  ];

  it("skips the proxy for exactly the hosts goSkipsProxy says, on every case", async () => {
    // Two at a time: each run ends in well under a second either way.
    for (let i = 0; i < targets.length; i += 2)
      await Promise.all(
        targets.slice(i, i + 2).map(([host, port]) =>
          rclone(["lsf", s3(`https://${host}:${port}`)], {
            HTTPS_PROXY: proxy.url,
            NO_PROXY: noProxy.join(","),
          }),
        ),
      );
    const real = targets.map(
      ([host, port]) => `${host}:${port} ${proxy.seen.includes(`${host}:${port}`) ? "proxy" : "direct"}`,
    );
    const ours = targets.map(
      ([host, port]) => `${host}:${port} ${goSkipsProxy(noProxy, host, port) ? "direct" : "proxy"}`,
    );
    expect(ours).to.deep.equal(real);
    // The table holds both outcomes, so a matcher answering one way always fails.
    expect(real.filter((r) => r.endsWith("proxy"))).to.have.length.above(3);
    expect(real.filter((r) => r.endsWith("direct"))).to.have.length.above(3);
  });

  it("the DR mirror's pod: the AWS remote through the proxy, MinIO never", async () => {
    const run = await evaluateStack("prod", prodBehindProxy());
    const job = run.resources.find(
      (r) => r.type.endsWith("batch/v1:CronJob") && at(r.inputs, "metadata.name") === "dr-mirror",
    );
    const [container] = at(job?.inputs, "spec.jobTemplate.spec.template.spec.containers") as {
      env: { name: string; value?: string }[];
    }[];
    const env = Object.fromEntries(
      container.env.filter((e) => typeof e.value === "string").map((e) => [e.name, e.value as string]),
    );
    expect(env.HTTPS_PROXY, "the configured proxy").to.equal(PROXY_URL);
    // The pod's remotes as registered, keys faked (they come from Secrets), the CA bundle left
    // out (it is built in the pod); the proxy is the recording one.
    const remotes = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("RCLONE_CONFIG_")));
    const keys = {
      RCLONE_CONFIG_MINIO_ACCESS_KEY_ID: "k",
      RCLONE_CONFIG_MINIO_SECRET_ACCESS_KEY: "s",
      RCLONE_CONFIG_DR_ACCESS_KEY_ID: "k",
      RCLONE_CONFIG_DR_SECRET_ACCESS_KEY: "s",
    };
    const before = proxy.seen.length;
    for (const remote of ["minio:harbor-registry", "dr:bucket"])
      await rclone(["lsf", remote], { ...remotes, ...keys, HTTPS_PROXY: proxy.url, NO_PROXY: env.NO_PROXY });
    const seen = proxy.seen.slice(before);
    const minio = new URL(env.RCLONE_CONFIG_MINIO_ENDPOINT);
    expect(
      seen.filter((t) => t.startsWith(`${minio.hostname}:`)),
      "MinIO through the proxy",
    ).to.deep.equal([]);
    expect(
      seen.some((t) => t.endsWith(".amazonaws.com:443")),
      `the AWS remote through the proxy: ${seen.join(", ")}`,
    ).to.equal(true);
  });
});
