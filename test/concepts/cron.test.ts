import { expect } from "chai";
import { cron } from "../../config/schema/define";
import { readLeaf } from "../config/read-leaf";
import { parseCron, type CronDialect, type CronSchedule } from "../../policy/concepts/cron";
import { scheduleCadence } from "../../policy/lib/schedule";
import { parseDr, parseHarborConfiguration } from "../config/sections";

/** The GC schedule the config passes on to Harbor for `text`. */
const harborCron = (text: string): string => parseHarborConfiguration({ gc: { cron: text } }, "dev").gc.cron;

// Upstream truth: robfig/cron v3.0.1 (the parser of Kubernetes CronJobs, Velero and Harbor;
// CloudNativePG's v1 reads fields the same way), its spec_test.go TestActivation and
// TestNext tables and parser_test.go TestRange errors, and its spec.go bounds. Cases with a
// TZ= prefix are left out: every schedule here runs in UTC and the prefix is refused.

function at(text: string): Date {
  const m = /^\w{3} (\w{3}) (\d+) (\d+):(\d+)(?::(\d+))? (\d{4})$/.exec(text);
  if (!m) throw new Error(`bad time ${text}`);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(
    m[1],
  );
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0)));
}

function schedule(text: string, dialect: CronDialect): CronSchedule {
  const r = parseCron(text, dialect);
  if (!r.ok) throw new Error(`${text} (${dialect}) refused: ${r.reason}`);
  return r.schedule;
}

const ACTIVATION: readonly (readonly [string, string, boolean])[] = [
  ["Mon Jul 9 15:00 2012", "0/15 * * * *", true],
  ["Mon Jul 9 15:45 2012", "0/15 * * * *", true],
  ["Mon Jul 9 15:40 2012", "0/15 * * * *", false],
  ["Mon Jul 9 15:05 2012", "5/15 * * * *", true],
  ["Mon Jul 9 15:20 2012", "5/15 * * * *", true],
  ["Mon Jul 9 15:50 2012", "5/15 * * * *", true],
  ["Sun Jul 15 15:00 2012", "0/15 * * Jul *", true],
  ["Sun Jul 15 15:00 2012", "0/15 * * Jun *", false],
  ["Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", true],
  ["Sun Jul 15 08:30 2012", "30 08 15 Jul ?", true],
  ["Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", false],
  ["Mon Jul 16 08:30 2012", "30 08 15 Jul ?", false],
  ["Mon Jul 9 15:00 2012", "@hourly", true],
  ["Mon Jul 9 15:04 2012", "@hourly", false],
  ["Mon Jul 9 15:00 2012", "@daily", false],
  ["Mon Jul 9 00:00 2012", "@daily", true],
  ["Mon Jul 9 00:00 2012", "@weekly", false],
  ["Sun Jul 8 00:00 2012", "@weekly", true],
  ["Sun Jul 8 01:00 2012", "@weekly", false],
  ["Sun Jul 8 00:00 2012", "@monthly", false],
  ["Sun Jul 1 00:00 2012", "@monthly", true],
  ["Sun Jul 15 00:00 2012", "* * 1,15 * Sun", true],
  ["Fri Jun 15 00:00 2012", "* * 1,15 * Sun", true],
  ["Wed Aug 1 00:00 2012", "* * 1,15 * Sun", true],
  ["Sun Jul 15 00:00 2012", "* * */10 * Sun", true],
  ["Sun Jul 15 00:00 2012", "* * * * Mon", false],
  ["Mon Jul 9 00:00 2012", "* * 1,15 * *", false],
  ["Sun Jul 15 00:00 2012", "* * 1,15 * *", true],
  ["Sun Jul 15 00:00 2012", "* * */2 * Sun", true],
];

const NEXT: readonly (readonly [string, string, string])[] = [
  ["Mon Jul 9 14:45 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"],
  ["Mon Jul 9 14:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"],
  ["Mon Jul 9 14:59:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"],
  ["Mon Jul 9 15:45 2012", "0 20-35/15 * * * *", "Mon Jul 9 16:20 2012"],
  ["Mon Jul 9 23:46 2012", "0 */15 * * * *", "Tue Jul 10 00:00 2012"],
  ["Mon Jul 9 23:45 2012", "0 20-35/15 * * * *", "Tue Jul 10 00:20 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * * * *", "Tue Jul 10 00:20:15 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 * * *", "Tue Jul 10 01:20:15 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 10-12 * * *", "Tue Jul 10 10:20:15 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 */2 * *", "Thu Jul 11 01:20:15 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 * *", "Wed Jul 10 00:20:15 2012"],
  ["Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 Jul *", "Wed Jul 10 00:20:15 2012"],
  ["Mon Jul 9 23:35 2012", "0 0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"],
  ["Mon Jul 9 23:35 2012", "0 0 0 */5 Apr,Aug,Oct Mon", "Tue Aug 1 00:00 2012"],
  ["Mon Jul 9 23:35 2012", "0 0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"],
  ["Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon", "Mon Feb 4 00:00 2013"],
  ["Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"],
  ["Mon Dec 31 23:59:45 2012", "0 * * * * *", "Tue Jan 1 00:00:00 2013"],
];

describe("concepts: cron schedules (robfig/cron's own tables)", () => {
  it("fires exactly when robfig's TestActivation says (5 fields, ParseStandard)", () => {
    for (const [time, spec, fires] of ACTIVATION) {
      const run = schedule(spec, "velero").next(new Date(at(time).getTime() - 1000));
      expect(run.getTime() === at(time).getTime(), `${spec} at ${time}`).to.equal(fires);
    }
  });
  it("computes the next run robfig's TestNext expects (6 fields, seconds first)", () => {
    for (const [from, spec, expected] of NEXT) {
      expect(schedule(spec, "cloudnativepg").next(at(from)).toISOString(), spec).to.equal(
        at(expected).toISOString(),
      );
    }
  });
  it("refuses the ranges robfig's TestRange refuses, and day-of-week 7 (spec.go bounds 0-6)", () => {
    for (const minute of ["5--5", "2-x", "*/-12", "*//2", "60", "5-3", "*/0"]) {
      expect(parseCron(`${minute} * * * *`, "kubernetes").ok, minute).to.equal(false);
    }
    expect(parseCron("0 0 1 jan-x *", "kubernetes").ok).to.equal(false);
    expect(parseCron("0 0 * * 7", "kubernetes")).to.deep.equal({
      ok: false,
      reason: "bad day of week field 7",
    });
    // Syntax other cron dialects have and robfig has not.
    for (const spec of ["0 0 L * *", "0 0 * * 1#2", "0 0 15W * *", "H * * * *", "0 0 * * 5L"]) {
      expect(parseCron(spec, "kubernetes").ok, spec).to.equal(false);
    }
  });

  it("holds each consumer to its parser: fields, descriptors, seconds, time zones", () => {
    // Kubernetes and Velero: cron.ParseStandard, 5 fields and descriptors.
    expect(parseCron("0 0 2 * * *", "kubernetes").ok).to.equal(false);
    expect(parseCron("@every 6h", "velero").ok).to.equal(true);
    expect(parseCron("@every 6h", "kubernetes").ok).to.equal(false);
    expect(parseCron("@every 6d", "velero").ok).to.equal(false);
    expect(parseCron("@fortnightly", "velero")).to.deep.equal({
      ok: false,
      reason: "unknown descriptor @fortnightly",
    });
    expect(parseCron("CRON_TZ=Europe/Berlin 0 2 * * *", "kubernetes").ok).to.equal(false);
    // CloudNativePG's v1 Parse would read 5 fields as seconds first: "0 2 * * *" at minute 2 of every hour.
    expect(parseCron("0 2 * * *", "cloudnativepg").ok).to.equal(false);
    // Harbor: NewParser(Second | Minute | Hour | Dom | Month | Dow), no Descriptor flag, and
    // ValidateCronString refuses a seconds field other than 0 (goharbor/harbor src/common/utils/utils.go).
    expect(parseCron("@weekly", "harbor").ok).to.equal(false);
    expect(parseCron("30 0 3 * * 6", "harbor")).to.deep.equal({
      ok: false,
      reason: "the seconds field must be 0",
    });
    // A schedule that runs once in four years is refused rather than measured.
    expect(parseCron("0 0 0 29 Feb ?", "cloudnativepg").ok).to.equal(false);
  });

  it("measures the longest gap between runs on the calendar", () => {
    const minutes = (spec: string, d: CronDialect) => schedule(spec, d).maxGapSeconds / 60;
    expect(minutes("*/15 * * * *", "kubernetes")).to.equal(15);
    expect(minutes("0 */6 * * *", "kubernetes")).to.equal(360);
    expect(minutes("0 1,13 * * *", "kubernetes")).to.equal(720);
    expect(minutes("0 2 * * 1-5", "kubernetes")).to.equal(3 * 24 * 60); // Friday to Monday
    expect(minutes("@daily", "kubernetes")).to.equal(1440);
    expect(minutes("@every 90m", "velero")).to.equal(90);
    expect(minutes("0 0 3 1,15 * *", "harbor")).to.equal(17 * 24 * 60); // 15 Jan to 1 Feb
    expect(minutes("0 0 3 1 * *", "harbor")).to.equal(31 * 24 * 60);
    expect(minutes("0 0 0 1 1 *", "harbor")).to.equal(366 * 24 * 60); // 2028 is a leap year
    // Both day fields restricted: either matches (robfig's dayMatches), so no gap above 4 days.
    expect(minutes("0 0 1,15 * sun", "kubernetes")).to.be.at.most(7 * 24 * 60);
  });
  it("the longest gap is the widest step of the plain run sequence", () => {
    for (const spec of [
      "0 0 3 1,15 * *",
      "0 30 2 * * 1-5",
      "0 0 */2 * 1,4 *",
      "0 0,30 9-17 * * mon-fri",
      "0 15 */7 * * *",
    ]) {
      const s = schedule(spec, "harbor");
      let t = new Date(Date.UTC(2028, 0, 1) - 1000);
      let widest = 0;
      let previous: number | undefined;
      while (t.getTime() < Date.UTC(2030, 0, 1)) {
        t = s.next(t);
        if (t.getTime() >= Date.UTC(2030, 0, 1)) break;
        if (previous !== undefined) widest = Math.max(widest, (t.getTime() - previous) / 1000);
        previous = t.getTime();
      }
      expect(s.maxGapSeconds, spec).to.equal(widest);
    }
  });

  describe("config and policy pack read a schedule the same way", () => {
    it("a day name the policy pack accepted and the config refused: both accept it now", () => {
      expect(harborCron("0 0 3 * * sat")).to.equal("0 0 3 * * sat");
      expect(scheduleCadence("Custom", "0 0 3 * * sat")).to.deep.equal({ maxGapDays: 7 });
    });
    it("a schedule is passed on with its fields one space apart, as Harbor's seconds check splits it", () => {
      expect(harborCron(" 0  0 3 * *\t6 ")).to.equal("0 0 3 * * 6");
    });
    it("a descriptor the policy pack accepted and Harbor refuses: both refuse it now", () => {
      expect(() => harborCron("@weekly")).to.throw(
        'harbor-platform:harborConfig.gc.cron = "@weekly": a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6; descriptors like @daily are not accepted here',
      );
      expect(scheduleCadence("Custom", "@weekly").error).to.match(
        /descriptors like @daily are not accepted here/,
      );
    });
    it("day-of-week 7, which the DR config accepted and Kubernetes refuses, is refused with the key", () => {
      expect(() => readLeaf("dr.mirrorSchedule", cron("kubernetes"), "0 2 * * 7")).to.throw(
        `harbor-platform:dr.mirrorSchedule = "0 2 * * 7": a cron schedule (5 fields, UTC) or @hourly/@daily, like '*/15 * * * *'; bad day of week field 7`,
      );
    });
    it("the DR config's schedule gaps and the GC policy's cadence are the concept's measure", () => {
      const dr = parseDr(
        {
          dr: {
            bucketName: "acme-harbor-dr",
            mirrorSchedule: "0,20,40 * * * *",
            drillSchedule: "0 4 * * mon-fri",
          },
        },
        "prod",
        "eu-central-1",
      );
      expect(dr?.mirror.intervalMinutes).to.equal(20);
      expect(dr?.drill.intervalMinutes).to.equal(3 * 24 * 60);
      expect(scheduleCadence("Custom", "0 0 4 * * mon-fri").maxGapDays).to.equal(3);
    });
  });
});
