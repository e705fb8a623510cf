// Harbor's upgrade path as a rule (components/harbor/upgrade-path.ts), per case. The documented
// minimums are Harbor's upgrade guide per release (goharbor/website
// docs/administration/upgrade/_index.md: v2.15.0 "only covers migration from v2.12.0 and later"
// at bbc33f0; v2.14.0 from v2.11.0 at e9ad7ca; v2.13.0 from v2.11.0 at bcc3c7d; v2.12.0 from
// v2.10.0 at 4cb057e); downgrades are refused (roll-back-upgrade.md: "Harbor does not support
// downgrades"). The chart -> Harbor mapping is the harbor-helm tags' Chart.yaml (v1.10.0 = 2.6.0
// ... v1.19.1 = 2.15.1) and the pinned 1.19.2 copy.
import * as fs from "fs";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import {
  DOCUMENTED_UPGRADE_FROM,
  harborVersionOfChart,
  upgradeVerdict,
} from "../../components/harbor/upgrade-path";
import { upgradePath } from "../../components/harbor/upgrade-gate.cjs";
import { charts } from "../../versions";
import { upstreamFile } from "../upstream";

describe("Harbor's upgrade path", () => {
  it("maps a chart version to the Harbor release it ships, as the pinned chart says", () => {
    const chart = parseYaml(fs.readFileSync(upstreamFile(charts.harbor.upstream, "Chart.yaml"), "utf8")) as {
      version: string;
      appVersion: string;
    };
    expect(harborVersionOfChart(chart.version)).to.equal(chart.appVersion);
    // harbor-helm tags: v1.10.0 ships 2.6.0, v1.16.4 ships 2.12.4, v1.18.4 ships 2.14.4.
    expect(harborVersionOfChart("1.10.0")).to.equal("2.6.0");
    expect(harborVersionOfChart("1.16.4")).to.equal("2.12.4");
    expect(harborVersionOfChart("1.18.4")).to.equal("2.14.4");
    expect(harborVersionOfChart("1.9.0")).to.equal(undefined);
  });

  const cases: [string, string | undefined, string, string | true][] = [
    ["a first install", undefined, "1.19.2", true],
    ["no change", "1.19.2", "1.19.2", true],
    ["a patch upgrade", "1.19.1", "1.19.4", true],
    ["one minor up", "1.18.4", "1.19.2", true],
    ["three minors up, to the oldest 2.15 migrates from (2.12)", "1.16.0", "1.19.2", true],
    [
      "four minors up (2.11 -> 2.15)",
      "1.15.2",
      "1.19.2",
      "chart 1.15.2 (Harbor 2.11.2) -> 1.19.2 (Harbor 2.15.2) is outside Harbor's documented upgrade path: Harbor 2.15 migrates from 2.12.0 or later; upgrade to a release in between first",
    ],
    ["2.11 -> 2.14, which its guide covers", "1.15.0", "1.18.4", true],
    [
      "2.10 -> 2.14",
      "1.14.3",
      "1.18.4",
      "chart 1.14.3 (Harbor 2.10.3) -> 1.18.4 (Harbor 2.14.4) is outside Harbor's documented upgrade path: Harbor 2.14 migrates from 2.11.0 or later; upgrade to a release in between first",
    ],
    [
      "a downgrade across minors",
      "1.19.2",
      "1.18.4",
      "chart 1.19.2 (Harbor 2.15.2) -> 1.18.4 (Harbor 2.14.4) is a downgrade; Harbor cannot downgrade its database schema: restore the pre-upgrade backup instead (docs/runbooks/harbor-upgrade.md)",
    ],
    [
      "a patch downgrade",
      "1.19.4",
      "1.19.2",
      "chart 1.19.4 (Harbor 2.15.4) -> 1.19.2 (Harbor 2.15.2) is a downgrade; Harbor cannot downgrade its database schema: restore the pre-upgrade backup instead (docs/runbooks/harbor-upgrade.md)",
    ],
    [
      "a known-bad target",
      "1.18.4",
      "1.19.0",
      "chart 1.19.0 is known bad: Harbor 2.15.0's proxy cache cannot pull from Docker Hub (goharbor/harbor #23025, fixed in 2.15.1)",
    ],
    [
      "a target with no documented path",
      "1.19.2",
      "1.20.0",
      "no documented upgrade path to Harbor 2.16 is known here (documented: 2.15, 2.14, 2.13, 2.12)",
    ],
  ];
  for (const [what, from, to, expected] of cases)
    it(`${expected === true ? "allows" : "refuses"} ${what}`, () => {
      const v = upgradeVerdict(from, to);
      if (expected === true) expect(v.ok, JSON.stringify(v)).to.equal(true);
      else expect(v).to.deep.equal({ ok: false, reason: expected });
      // The provider's copy (swc-transpiled in the dynamic-provider host) rules the same.
      expect(upgradePath().upgradeVerdict(from, to)).to.deep.equal(v);
    });

  it("documents a path to every minor from the pinned one down to the oldest it migrates from", () => {
    const pinned = (harborVersionOfChart(charts.harbor.version) as string).split(".").slice(0, 2).join(".");
    expect(DOCUMENTED_UPGRADE_FROM).to.have.property(pinned);
  });
});
