// The program builds with short stack traces (components/platform/stack-traces.ts): the limit
// comes back afterwards, an error still names where it was thrown, and the engine still gets
// every resource's source position in the project's TypeScript.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import * as pulumi from "@pulumi/pulumi";
import {
  BUILD_STACK_LIMIT,
  FRAME_PREFIX,
  SHORT_STACK_HINT,
  installedFormatter,
  mapOnlyProjectFrames,
  mapProjectFramesOnly,
  withShortStacks,
} from "../components/platform/stack-traces";
import { ROOT, evaluateStack } from "./harness";

describe("short stack traces while building", () => {
  const before = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = before;
  });

  it("builds with the short limit and restores V8's default afterwards", () => {
    Error.stackTraceLimit = 10;
    expect(withShortStacks(() => Error.stackTraceLimit, {})).to.equal(BUILD_STACK_LIMIT);
    expect(Error.stackTraceLimit).to.equal(10);
  });

  it("restores the limit when building throws; the error names the line that threw and how to see more", () => {
    Error.stackTraceLimit = 10;
    let caught: Error | undefined;
    try {
      withShortStacks(() => {
        throw new TypeError("broken component");
      }, {});
    } catch (e) {
      caught = e as Error;
    }
    expect(Error.stackTraceLimit).to.equal(10);
    expect(caught?.message).to.equal("broken component");
    expect(caught?.stack).to.include(`${path.join("test", "stack-traces.test.ts")}:`);
    expect(caught?.stack?.split("\n").pop()).to.equal(SHORT_STACK_HINT);
  });

  it("maps the project's frames as ts-node's formatter does and leaves a library's compiled", () => {
    // ts-node's own, even when an evaluation of the program in this process wrapped it.
    const installed = installedFormatter();
    if (!installed) throw new Error("ts-node installs source-map-support's formatter");
    const current = Error.prepareStackTrace;
    // Frames of the SDK's output.js, which ships a source map, between two of this file's.
    const throwing = {
      get flag(): boolean {
        throw new Error("from a getter");
      },
    };
    let frames: NodeJS.CallSite[] = [];
    let error: Error | undefined;
    Error.prepareStackTrace = (_e, f) => {
      frames = f;
      return "";
    };
    try {
      pulumi.output(throwing);
    } catch (e) {
      error = e as Error;
      void error.stack;
    } finally {
      Error.prepareStackTrace = current;
    }
    const full = String(installed(error!, frames)).split(FRAME_PREFIX);
    const formatter = mapProjectFramesOnly(installed);
    const once = String(formatter(error!, frames));
    // The second time from the frames it remembers.
    expect(String(formatter(error!, frames))).to.equal(once);
    const short = once.split(FRAME_PREFIX);
    expect(short.length).to.equal(full.length);
    expect(short[0]).to.equal("Error: from a getter");
    const sdk = frames.findIndex((f) =>
      f.getFileName()?.endsWith(path.join("@pulumi", "pulumi", "output.js")),
    );
    expect(full[sdk + 1], "ts-node maps the SDK's frame to its TypeScript").to.include("output.ts");
    expect(short[sdk + 1]).to.equal(String(frames[sdk]));
    const own = frames
      .map((_f, i) => i)
      .filter((i) => frames[i].getFileName()?.endsWith(path.join("test", "stack-traces.test.ts")));
    expect(own.length).to.be.greaterThan(1);
    for (const i of own) expect(short[i + 1]).to.equal(full[i + 1]);
    for (let i = 0; i < frames.length; i++) {
      if (frames[i].getFileName()?.includes("node_modules")) expect(short[i + 1]).to.equal(String(frames[i]));
    }
  });

  it("installs the project-frames formatter once per process, and not when full stacks are asked for", () => {
    const before = Error.prepareStackTrace;
    // A formatter of its own: the program's evaluations in this process installed theirs already.
    const formatter = (e: Error, f: NodeJS.CallSite[]) => before?.(e, f);
    Error.prepareStackTrace = formatter;
    try {
      Error.stackTraceLimit = 10;
      mapOnlyProjectFrames({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
      expect(Error.prepareStackTrace).to.equal(formatter);
      Error.stackTraceLimit = 50;
      mapOnlyProjectFrames({});
      expect(Error.prepareStackTrace).to.equal(formatter);
      Error.stackTraceLimit = 10;
      mapOnlyProjectFrames({});
      const once = Error.prepareStackTrace;
      expect(once).to.not.equal(formatter);
      mapOnlyProjectFrames({});
      expect(Error.prepareStackTrace).to.equal(once);
    } finally {
      Error.prepareStackTrace = before;
    }
  });

  it("keeps full stacks when the promise-leak report is on or someone chose a limit", () => {
    Error.stackTraceLimit = 10;
    expect(withShortStacks(() => Error.stackTraceLimit, { PULUMI_DEBUG_PROMISE_LEAKS: "1" })).to.equal(10);
    Error.stackTraceLimit = 50;
    expect(withShortStacks(() => Error.stackTraceLimit, {})).to.equal(50);
  });

  it("still gives the engine each resource's source position, at the line that declares it", async () => {
    const run = await evaluateStack("prod");
    const ours = run.resources.filter((r) => !r.sourcePosition?.includes("/node_modules/"));
    expect(ours.length, "resources positioned in the project").to.be.greaterThan(150);
    for (const r of ours) {
      const m = /^(file:.*):(\d+)$/.exec(r.sourcePosition ?? "");
      expect(m, `${r.name} has a source position`).to.not.equal(null);
      const file = fileURLToPath(m![1]);
      expect(file.startsWith(ROOT) && file.endsWith(".ts"), `${r.name} at ${file}`).to.equal(true);
      // Mapped to the TypeScript source: the line constructs something.
      const line = fs.readFileSync(file, "utf8").split("\n")[Number(m![2]) - 1];
      expect(line, `${r.name} at ${r.sourcePosition}`).to.match(/\bnew |super\(/);
    }
  });
});
