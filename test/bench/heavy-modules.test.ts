// What an evaluation loads decides much of its plan cost (bench/): each stack is evaluated in a
// fresh process (this one has loaded everything for other tests) and its module cache inspected.
import { expect } from "chai";
import { execFileSync } from "child_process";
import { ROOT } from "../harness";

interface Evaluation {
  resources: number;
  modules: string[];
  /** Calls of Pulumi's closure serializer (what pulumi.dynamic.Resource uses for its provider). */
  serializations: number;
}

function evaluateFresh(stack: string): Evaluation {
  const script = `
    require("ts-node").register({ transpileOnly: true });
    const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    const serialize = closure.serializeFunction;
    let serializations = 0;
    closure.serializeFunction = (...args) => (serializations++, serialize(...args));
    const { evaluateStack } = require("./test/harness");
    evaluateStack(${JSON.stringify(stack)}).then((run) => {
      const modules = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({ resources: run.resources.length, modules, serializations }));
    });`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }),
  ) as Evaluation;
}

const matching = (modules: string[], part: string) => modules.filter((m) => m.includes(part));

describe("modules an evaluation loads", function () {
  this.timeout(60000);

  it("dev loads no @pulumi/aws (it is heavy, and dev has no DR)", () => {
    const dev = evaluateFresh("dev");
    expect(dev.resources).to.be.greaterThan(0);
    expect(matching(dev.modules, "/@pulumi/aws/")).to.deep.equal([]);
  });

  it("no stack serializes a closure or loads the @pulumi/aws index or the model classes", () => {
    for (const stack of ["dev", "prod"]) {
      const { modules, serializations } = evaluateFresh(stack);
      // The Harbor resources carry a loader of the installed provider (provider-module.ts) instead.
      expect(serializations, `${stack}: closure serializations`).to.equal(0);
      expect(matching(modules, "/@pulumi/aws/index.js"), stack).to.deep.equal([]);
      expect(matching(modules, "/@kubernetes-models/"), stack).to.deep.equal([]);
    }
  });
});
