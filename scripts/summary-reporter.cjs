// Mocha reporter: the usual spec output, plus the counts written to a file so that
// scripts/test.mjs can add them to the static checks and print one summary line.
"use strict";
const fs = require("fs");
const path = require("path");
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => passed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => failed++);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const out = process.env.SUMMARY_FILE;
      if (out) {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, JSON.stringify({ passed, failed }));
      }
    });
  }
}

module.exports = SummaryReporter;
