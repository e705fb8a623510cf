// Which Harbor chart versions may follow which: the one rule both the program (config) and the
// upgrade gate's provider (./upgrade-gate.cjs, in the dynamic-provider host) apply. It imports
// nothing, so the host can load it on its own.

/**
 * The oldest Harbor each target minor migrates from, as Harbor's upgrade guide states it for that
 * release ("This guide only covers migration from vX.Y.0 and later"), goharbor/website
 * docs/administration/upgrade/_index.md at the commit that published each release's guide:
 * 2.15: bbc33f0 (2026-07-07), 2.14: e9ad7ca, 2.13: bcc3c7d, 2.12: 4cb057e.
 */
export const DOCUMENTED_UPGRADE_FROM: Readonly<Record<string, string>> = {
  "2.15": "2.12",
  "2.14": "2.11",
  "2.13": "2.11",
  "2.12": "2.10",
};

/**
 * Chart versions that must not be deployed, with why. 1.19.0 ships Harbor 2.15.0, whose proxy
 * cache cannot pull from Docker Hub (goharbor/harbor #23025, fixed in 2.15.1; the chart's 1.19.0
 * release notes name it); 1.19.3 carries a regression (the project's design notes: skip it,
 * 1.19.4 has the same security fixes).
 */
export const KNOWN_BAD_CHARTS: Readonly<Record<string, string>> = {
  "1.19.0":
    "Harbor 2.15.0's proxy cache cannot pull from Docker Hub (goharbor/harbor #23025, fixed in 2.15.1)",
  "1.19.3": "chart 1.19.3 carries a regression; 1.19.4 has the same security fixes",
};

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

const show = (v: Version) => `${v.major}.${v.minor}.${v.patch}`;
const compare = (a: Version, b: Version) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/**
 * The Harbor release a chart version ships: chart 1.M.p is Harbor 2.(M-4).p from chart 1.10 on
 * (goharbor/harbor-helm tags v1.10.0 to v1.19.1, Chart.yaml version/appVersion; 1.19.2 is 2.15.2).
 */
export function harborOfChart(chart: string): Version | undefined {
  const c = parseVersion(chart);
  if (!c || c.major !== 1 || c.minor < 10) return undefined;
  return { major: 2, minor: c.minor - 4, patch: c.patch };
}

export function harborVersionOfChart(chart: string): string | undefined {
  const h = harborOfChart(chart);
  return h && show(h);
}

export type UpgradeVerdict =
  | { readonly ok: true; readonly step: "install" | "unchanged" | "patch" | "minor" }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether Harbor may go from chart `from` (the deployed one; undefined on a first install) to
 * chart `to`, on Harbor's documented path: never down (the schema cannot be downgraded:
 * goharbor/website docs/administration/upgrade/roll-back-upgrade.md "Harbor does not support
 * downgrades", helm-upgrade.md "helm rollback is not supported"), within a minor freely, across
 * minors only from the oldest release the target's upgrade guide covers.
 */
export function upgradeVerdict(from: string | undefined, to: string): UpgradeVerdict {
  const target = harborOfChart(to);
  if (!target) return { ok: false, reason: `${to} is not a Harbor chart version (1.10.0 or later)` };
  const bad = KNOWN_BAD_CHARTS[to];
  if (bad) return { ok: false, reason: `chart ${to} is known bad: ${bad}` };
  const minorKey = `${target.major}.${target.minor}`;
  const oldest = DOCUMENTED_UPGRADE_FROM[minorKey];
  if (!oldest)
    return {
      ok: false,
      reason: `no documented upgrade path to Harbor ${minorKey} is known here (documented: ${Object.keys(DOCUMENTED_UPGRADE_FROM).join(", ")})`,
    };
  if (from === undefined) return { ok: true, step: "install" };
  const source = harborOfChart(from);
  if (!source) return { ok: false, reason: `the deployed chart ${from} is not a Harbor chart version` };
  const order = compare(target, source);
  if (order === 0) return { ok: true, step: "unchanged" };
  if (order < 0)
    return {
      ok: false,
      reason: `chart ${from} (Harbor ${show(source)}) -> ${to} (Harbor ${show(target)}) is a downgrade; Harbor cannot downgrade its database schema: restore the pre-upgrade backup instead (docs/runbooks/harbor-upgrade.md)`,
    };
  if (source.minor === target.minor) return { ok: true, step: "patch" };
  const min = parseVersion(`${oldest}.0`) as Version;
  if (compare(source, min) < 0)
    return {
      ok: false,
      reason: `chart ${from} (Harbor ${show(source)}) -> ${to} (Harbor ${show(target)}) is outside Harbor's documented upgrade path: Harbor ${minorKey} migrates from ${oldest}.0 or later; upgrade to a release in between first`,
    };
  return { ok: true, step: "minor" };
}
