// startPlugin's contract with a plugin process: the port line, a failed start, and the fake
// Engine the plugin may log to (with the SDK's own Engine client stub).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startPlugin } from "./plugin";

describe("test/engine/plugin: a plugin process started as the CLI starts it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-test-"));
  const script = (name: string, body: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, body);
    return file;
  };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("passes the engine address and args, in cwd and env; the plugin's Engine.Log calls are recorded", async () => {
    // A plugin that logs its argv, cwd and env to the engine with the SDK's Engine client, then
    // prints a port.
    const logger = script(
      "logger.js",
      `const grpc = require(${JSON.stringify(require.resolve("@grpc/grpc-js"))});
const { EngineClient } = require(${JSON.stringify(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb"))});
const { LogRequest, LogSeverity } = require(${JSON.stringify(require.resolve("@pulumi/pulumi/proto/engine_pb"))});
const [engine, ...args] = process.argv.slice(2);
const client = new EngineClient(engine, grpc.credentials.createInsecure());
const req = new LogRequest().setSeverity(LogSeverity.WARNING).setUrn("urn:x")
  .setMessage(JSON.stringify({ args, cwd: process.cwd(), env: process.env.PLUGIN_TEST }));
client.log(req, (err) => { if (err) throw err; console.log("12345"); setInterval(() => {}, 1000); });
`,
    );
    const plugin = await startPlugin({ script: logger, args: ["."], cwd: dir, env: { PLUGIN_TEST: "yes" } });
    try {
      expect(plugin.address).to.equal("127.0.0.1:12345");
      expect(plugin.engine.logs).to.deep.equal([
        {
          severity: "WARNING",
          urn: "urn:x",
          message: JSON.stringify({ args: ["."], cwd: fs.realpathSync(dir), env: "yes" }),
        },
      ]);
    } finally {
      await plugin.stop();
    }
  });

  it("fails in one message when the plugin exits or prints something else than a port", async () => {
    const dies = script("dies.js", `console.error("no pack here"); process.exit(3);`);
    const chatty = script("chatty.js", `console.log("hello"); setInterval(() => {}, 1000);`);
    const failure = (file: string) =>
      startPlugin({ script: file }).then(
        () => "started",
        (e: Error) => e.message,
      );
    expect(await failure(dies)).to.match(/dies\.js exited \(3\) before printing a port\nno pack here/);
    expect(await failure(chatty)).to.match(/chatty\.js printed "hello" instead of a port/);
  });
});
