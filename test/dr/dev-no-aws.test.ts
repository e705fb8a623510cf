import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";

describe("dev stack and @pulumi/aws", () => {
  it("evaluates dev without loading @pulumi/aws (it is heavy, and dev has no DR)", function () {
    this.timeout(60000);
    // A fresh process: this one has loaded @pulumi/aws for the DR tests already.
    const script = `
      require("ts-node").register({ transpileOnly: true });
      const { evaluateStack } = require("./test/harness");
      evaluateStack("dev").then((run) => {
        const aws = Object.keys(require.cache).filter((k) => k.includes("/@pulumi/aws/"));
        process.stdout.write(JSON.stringify({ resources: run.resources.length, aws: aws.length }));
      });`;
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: path.resolve(__dirname, "..", ".."),
      encoding: "utf8",
    });
    const result = JSON.parse(out) as { resources: number; aws: number };
    expect(result.resources).to.be.greaterThan(0);
    expect(result.aws).to.equal(0);
  });
});
