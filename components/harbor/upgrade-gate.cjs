// The upgrade gate's provider, as Pulumi's nodejs dynamic-provider host runs it: the gate's
// `__provider` (upgrade-gate.ts) requires this file from the project folder. Its state holds the
// chart version Harbor was last deployed with, so `check` sees the deployed version (olds) beside
// the requested one (news) and refuses a jump outside Harbor's upgrade path (upgrade-path.ts,
// transpiled with the swc the Harbor provider's host already uses) before anything changes: a
// check failure stops the preview, and `pulumi up` previews first.
"use strict";
const vm = require("vm");
const path = require("path");
const { transpiled } = require("../harbor-config/host.cjs");

let rule;
/** upgrade-path.ts, compiled once per host process (it imports nothing). */
function upgradePath() {
  if (!rule) {
    const module = { exports: {} };
    vm.compileFunction(transpiled("../harbor/upgrade-path"), ["exports", "require", "module"], {
      filename: path.join(__dirname, "upgrade-path.ts"),
    })(module.exports, require, module);
    rule = module.exports;
  }
  return rule;
}

const CHART = "chartVersion";

const provider = {
  async check(olds, news) {
    const from = typeof olds[CHART] === "string" ? olds[CHART] : undefined;
    const verdict = upgradePath().upgradeVerdict(from, String(news[CHART]));
    return verdict.ok
      ? { inputs: news }
      : { inputs: news, failures: [{ property: CHART, reason: `harborChartVersion: ${verdict.reason}` }] };
  },
  async diff(_id, olds, news) {
    return { changes: olds[CHART] !== news[CHART], replaces: [] };
  },
  async create(inputs) {
    return { id: "harbor-upgrade-gate", outs: { ...inputs, previousChartVersion: "" } };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, olds, news) {
    const previous = olds[CHART] === news[CHART] ? olds.previousChartVersion : olds[CHART];
    return { outs: { ...news, previousChartVersion: previous ?? "" } };
  },
  async delete() {},
};

module.exports = { handler: () => provider, upgradePath };
