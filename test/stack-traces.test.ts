// The program builds with short stack traces (components/platform/stack-traces.ts): the limit
// comes back afterwards, an error still names where it was thrown, and the engine still gets
// every resource's source position in the project's TypeScript.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { BUILD_STACK_LIMIT, SHORT_STACK_HINT, withShortStacks } from "../components/platform/stack-traces";
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
