// Starts a Pulumi runtime plugin the way the CLI does, so tests can drive the real process over
// gRPC: `node <script> <engine address> ...args`, in `cwd`; the plugin prints its gRPC port on
// stdout and serves its service on 127.0.0.1. The engine address points at a fake Engine
// (pulumirpc.Engine) that records what the plugin logs.
//
// Pinned: @pulumi/pulumi 3.248.0. The CLI's launch of a plugin (engine address as the first
// argument, port read from the first stdout line) is `newPlugin` in
// sdk/go/common/resource/plugin/plugin.go at tag v3.248.0; for the dynamic-provider host the
// launcher is sdk/nodejs/dist/pulumi-resource-pulumi-nodejs (`node <cmd/dynamic-provider> $@`).
//
// Usage:
//   const plugin = await startPlugin({ script: require.resolve("@pulumi/pulumi/cmd/dynamic-provider") });
//   const client = plugin.client(ResourceProviderClient);
//   const info = await unary<PluginInfo>((cb) => client.getPluginInfo(new Empty(), cb));
//   ...
//   await plugin.stop(); // kills the child, closes the clients and the fake engine
import { spawn, type ChildProcess } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";

export interface EngineLog {
  /** pulumirpc.LogSeverity name: DEBUG, INFO, WARNING, ERROR. */
  readonly severity: string;
  readonly message: string;
  readonly urn: string;
}

export interface FakeEngine {
  /** `127.0.0.1:<port>`, what the CLI passes as a plugin's first argument. */
  readonly address: string;
  /** Every Log call the plugin made, in order. */
  readonly logs: EngineLog[];
  stop(): Promise<void>;
}

const SEVERITY = Object.fromEntries(Object.entries(engineproto.LogSeverity).map(([k, v]) => [v, k]));

/** A pulumirpc.Engine server on 127.0.0.1 that records logs and keeps a root resource. */
export async function startFakeEngine(): Promise<FakeEngine> {
  const logs: EngineLog[] = [];
  let rootUrn = "";
  const server = new grpc.Server();
  const impl: enginerpc.IEngineServer = {
    log(call, cb) {
      const r = call.request;
      logs.push({ severity: String(SEVERITY[r.getSeverity()]), message: r.getMessage(), urn: r.getUrn() });
      cb(null, new Empty());
    },
    getRootResource(_call, cb) {
      cb(null, new engineproto.GetRootResourceResponse().setUrn(rootUrn));
    },
    setRootResource(call, cb) {
      rootUrn = call.request.getUrn();
      cb(null, new engineproto.SetRootResourceResponse());
    },
    startDebugging(_call, cb) {
      cb(null, new Empty());
    },
    requirePulumiVersion(_call, cb) {
      // The fake stands for the CLI of the pinned SDK: every range the SDK may ask for passes.
      cb(null, new engineproto.RequirePulumiVersionResponse());
    },
  };
  server.addService(enginerpc.EngineService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export interface PluginOptions {
  /** The plugin's script, e.g. `require.resolve("@pulumi/pulumi/cmd/dynamic-provider")`. */
  readonly script: string;
  /** Arguments after the engine address (run-policy-pack: `["."]`). */
  readonly args?: readonly string[];
  /** Working directory (the CLI uses the program's or the policy pack's folder); default: this process's. */
  readonly cwd?: string;
  /**
   * Variables over this process's environment; `undefined` removes an inherited one (e.g.
   * TS_NODE_TRANSPILE_ONLY, which `npm test` sets for mocha).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the port line; default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningPlugin {
  /** `127.0.0.1:<port>` the plugin serves gRPC on. */
  readonly address: string;
  readonly pid: number;
  readonly engine: FakeEngine;
  /** An insecure client of `address`, closed by stop(). */
  client<C extends grpc.Client>(
    ctor: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => C,
  ): C;
  /** What the plugin wrote so far: stdout after the port line, and stderr. */
  output(): { stdout: string; stderr: string };
  /** Closes the clients, ends the child (SIGTERM, then SIGKILL) and stops the fake engine. */
  stop(): Promise<void>;
}

// Children still running when the test process exits are ended, each by its own pid.
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Starts `node <script> <fake engine address> ...args` and resolves once it printed its port. */
export async function startPlugin(options: PluginOptions): Promise<RunningPlugin> {
  const engine = await startFakeEngine();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [options.script, engine.address, ...(options.args ?? [])], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      const timer = setTimeout(
        () => reject(new Error(`${options.script} printed no port within ${timeoutMs} ms\n${stderr}`)),
        timeoutMs,
      );
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        // The CLI reads the port from the plugin's first line of output.
        const nl = stdout.indexOf("\n");
        if (nl < 0) return;
        const first = stdout.slice(0, nl).trim();
        clearTimeout(timer);
        if (/^\d+$/.test(first)) {
          stdout = stdout.slice(nl + 1);
          resolve(Number(first));
        } else {
          reject(
            new Error(`${options.script} printed ${JSON.stringify(first)} instead of a port\n${stderr}`),
          );
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.script} exited (${code ?? signal}) before printing a port\n${stderr}`));
      });
    });
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    await engine.stop();
    throw err;
  }

  const clients: grpc.Client[] = [];
  const address = `127.0.0.1:${port}`;
  return {
    address,
    pid: child.pid!,
    engine,
    client(ctor) {
      const c = new ctor(address, grpc.credentials.createInsecure());
      clients.push(c);
      return c;
    },
    output: () => ({ stdout, stderr }),
    async stop() {
      for (const c of clients) c.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 2_000);
        await exited;
        clearTimeout(killer);
      }
      await engine.stop();
    },
  };
}

/**
 * One unary gRPC call as a promise: `await unary<CheckResponse>((cb) => client.check(req, cb))`.
 * A failed call rejects with the grpc-js ServiceError (its `code` and `details` as sent).
 */
export function unary<Res>(
  call: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    call((err, res) => (err ? reject(err) : resolve(res)));
  });
}
