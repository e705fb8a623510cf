// The upgrade gate's provider, as Pulumi's nodejs dynamic-provider host runs it: the gate's
// `__provider` (upgrade-gate.ts) requires this file from the project folder. Its state holds the
// chart version Harbor was last deployed with, so `check` sees the deployed version (olds) beside
// the requested one (news) and refuses a jump outside Harbor's upgrade path (upgrade-path.ts,
// transpiled with the swc the Harbor provider's host already uses) before anything changes: a
// check failure stops the preview, and `pulumi up` previews first. With no deployed version in
// the state it passes only the pinned chart (`verifiedChartVersion`): anything else is a jump from
// a Harbor it cannot see.
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
const PIN = "verifiedChartVersion";

/**
 * Why a chart off the pin cannot be deployed when the state holds no deployed version: a stack
 * deployed before the gate existed runs some Harbor the gate never saw, so the jump from it could
 * not be checked (a new stack looks the same from here).
 */
function unrecorded(target, pin) {
  if (typeof pin !== "string" || target === pin) return undefined;
  return (
    `the upgrade gate holds no deployed chart version (a stack deployed before the gate existed, or a new one), ` +
    `so the jump to ${target} cannot be checked: deploy the pinned ${pin} first if Harbor runs it or is new, ` +
    `else record the chart Harbor runs in the gate's state (docs/runbooks/harbor-upgrade.md, "The gate's record")`
  );
}

const provider = {
  async check(olds, news) {
    const from = typeof olds[CHART] === "string" ? olds[CHART] : undefined;
    const target = String(news[CHART]);
    const missing = from === undefined ? unrecorded(target, news[PIN]) : undefined;
    if (missing)
      return { inputs: news, failures: [{ property: CHART, reason: `harborChartVersion: ${missing}` }] };
    const verdict = upgradePath().upgradeVerdict(from, target);
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
