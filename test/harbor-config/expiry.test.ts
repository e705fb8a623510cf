// Robot expiry: the arithmetic (as Harbor 2.15.2 computes it: goharbor/harbor v2.15.2
// src/controller/robot/controller.go Create, src/server/v2.0/handler/robot.go updateV2Robot and
// RefreshSec), what the provider does to it against the spec-checked fake Harbor, the scheduled
// renewal's token, the config rules, and the alerts as promtool evaluates them.
import { expect } from "chai";
import { FakeHarbor } from "../fakes/harbor";
import { HarborProvider, clientSettings } from "../../components/harbor-config/provider";
import {
  DAY_SECONDS,
  defaultWarningDays,
  expiryState,
  expiryView,
  harborExpiresAt,
  lifetimeProblem,
  nextRenewal,
  renewalToken,
} from "../../components/harbor-config/expiry";
import { robotExpiryRules } from "../../components/monitoring/robot-rules";
import { promtoolProblems, promtoolTestRules } from "../observability/promql";
import { parseHarborConfiguration, parseObservability } from "../config/sections";

type Props = Record<string, unknown>;
const alerting = parseObservability({}, "dev").alerting;
const t = (iso: string) => Date.parse(iso) / 1000;

describe("robot expiry: arithmetic", () => {
  it("counts Harbor's duration in whole UTC days from the creation time; -1 never expires", () => {
    expect(harborExpiresAt(t("2026-01-01T10:00:00Z"), 90)).to.equal(t("2026-04-01T10:00:00Z"));
    expect(harborExpiresAt(t("2026-03-28T00:00:00Z"), 2)).to.equal(t("2026-03-30T00:00:00Z"));
    expect(harborExpiresAt(t("2026-01-01T00:00:00Z"), -1)).to.equal(-1);
  });

  it("names the renewal period by its first day, counted in periods from 1970-01-01 UTC", () => {
    // 2026-08-17 is day 20,682 since the epoch; periods of 30 days start on day 20,670 (2026-08-05)
    // and 20,700 (2026-09-04).
    const at = Date.parse("2026-08-17T13:00:00Z");
    expect(renewalToken(at, 30)).to.equal("2026-08-05");
    expect(new Date(nextRenewal(at, 30)).toISOString()).to.equal("2026-09-04T00:00:00.000Z");
    // The same token all period long, on any machine; a new one at the boundary.
    expect(renewalToken(Date.parse("2026-08-05T00:00:00Z"), 30)).to.equal("2026-08-05");
    expect(renewalToken(Date.parse("2026-09-03T23:59:59Z"), 30)).to.equal("2026-08-05");
    expect(renewalToken(Date.parse("2026-09-04T00:00:00Z"), 30)).to.equal("2026-09-04");
    expect(renewalToken(at, 1)).to.equal("2026-08-17");
    expect(() => renewalToken(at, 0)).to.throw(RangeError);
  });

  it("warns 14 days ahead, or half a shorter life, and tells valid, expiring and expired apart", () => {
    expect([90, 28, 20, 1, -1].map(defaultWarningDays)).to.deep.equal([14, 14, 10, 0, 14]);
    const expires = t("2026-04-01T00:00:00Z");
    expect(expiryState(expires, 14, t("2026-03-17T23:59:59Z"))).to.equal("valid");
    expect(expiryState(expires, 14, t("2026-03-18T00:00:01Z"))).to.equal("expiring");
    expect(expiryState(expires, 14, expires)).to.equal("expired");
    expect(expiryState(-1, 14, expires)).to.equal("never");
  });

  it("shows the expiry, the warning's start and the next renewal in the stack output", () => {
    expect(expiryView(t("2026-04-01T00:00:00Z"), 14, 30, Date.parse("2026-01-10T00:00:00Z"))).to.deep.equal({
      expiresAt: "2026-04-01T00:00:00Z",
      warningFrom: "2026-03-18T00:00:00Z",
      renewsFrom: "2026-02-06",
    });
    expect(expiryView(-1, 14, undefined, 0)).to.deep.equal({ expiresAt: "never" });
  });

  it("refuses a renewal period that leaves the robot in its warning window before each renewal", () => {
    expect(lifetimeProblem(90, 14, 30)).to.equal(undefined);
    expect(lifetimeProblem(90, 14, 76)).to.equal(undefined);
    expect(lifetimeProblem(90, 14, 77)).to.match(
      /^rotateEveryDays \+ expiryWarningDays at most duration \(77 \+ 14 > 90\)/,
    );
    expect(lifetimeProblem(10, 10)).to.match(/^less than the robot's duration/);
    expect(lifetimeProblem(-1, 14, 3650)).to.equal(undefined);
  });
});

describe("robot expiry: config", () => {
  const parse = (robot: Props) =>
    parseHarborConfiguration(
      {
        projects: [{ name: "apps" }],
        robots: [{ name: "ci", project: "apps", access: ["repository:pull"], ...robot }],
      },
      "dev",
    ).robots[0];

  it("reads rotateEveryDays, expiryWarningDays and pullSecretNamespaces beside the robot's own fields", () => {
    expect(parse({ duration: 90, rotateEveryDays: 30, pullSecretNamespaces: ["ci", "apps"] })).to.include({
      durationDays: 90,
      rotateEveryDays: 30,
      expiryWarningDays: 14,
    });
    expect(parse({ duration: 20 })).to.deep.include({ expiryWarningDays: 10, pullSecretNamespaces: [] });
    expect(parse({})).to.not.have.property("rotateEveryDays");
  });

  it("refuses what cannot work, in one line naming the field", () => {
    const message = (robot: Props) => {
      try {
        parse(robot);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message({ duration: 90, rotateEveryDays: 80 })).to.equal(
      "harbor-platform:harborConfig.robots[0].rotateEveryDays = 80: rotateEveryDays + expiryWarningDays at most duration (80 + 14 > 90): the robot would reach its warning window before each renewal",
    );
    expect(message({ duration: 1 }), "a one-day robot with the default warning").to.equal("");
    expect(message({ duration: 30, expiryWarningDays: 30, rotateEveryDays: 7 })).to.match(
      /^harbor-platform:harborConfig\.robots\[0\]\.expiryWarningDays = 30: less than the robot's duration/,
    );
    expect(message({ rotateEveryDays: 0 })).to.equal(
      "harbor-platform:harborConfig.robots[0].rotateEveryDays = 0: an integer from 1 to 3650",
    );
    expect(message({ pullSecretNamespaces: ["Apps"] })).to.match(
      /^harbor-platform:harborConfig\.robots\[0\]\.pullSecretNamespaces\[0\] = "Apps": a Kubernetes name/,
    );
    expect(message({ pullSecretNamespaces: ["ci", "ci"] })).to.equal(
      'harbor-platform:harborConfig.robots[0].pullSecretNamespaces = ["ci","ci"]: each namespace once (ci is listed twice)',
    );
    expect(message({ rotateEvryDays: 30 })).to.match(/robots\[0\]\.rotateEvryDays/);
    expect(message({ rotateEvryDays: 30 }).split("\n")).to.have.length(1);
  });
});

describe("robot expiry: the provider against the fake Harbor", () => {
  let fake: FakeHarbor;
  beforeEach(async () => {
    fake = await new FakeHarbor().start();
    clientSettings.retry = { sleep: async () => undefined, timeoutMs: 200, random: () => 1 };
    await new HarborProvider("project").create({
      connection: fake.connection,
      name: "apps",
      public: false,
      quotaBytes: -1,
      scanOnPush: false,
      preventVulnerable: "none",
      cosign: false,
      cveAllowlist: [],
      registryId: 0,
    });
  });
  afterEach(async () => {
    await fake.stop();
    clientSettings.retry = {};
    expect(fake.violations, "requests/responses outside the OpenAPI spec").to.deep.equal([]);
  });

  const robot = new HarborProvider("robot");
  const declared = (extra: Props = {}) => ({
    connection: fake.connection,
    name: "ci",
    level: "project",
    project: "apps",
    description: "",
    durationDays: 30,
    rotation: "",
    permissions: [
      { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "pull" }] },
    ],
    ...extra,
  });
  const created = t("2026-01-01T00:00:00Z");

  it("keeps Harbor's expires_at; a new duration counts from the creation time, not from now", async () => {
    fake.robotClock = created;
    const { id, outs } = await robot.create(declared());
    expect(outs.expiresAt).to.equal(harborExpiresAt(created, 30));

    fake.robotClock = t("2026-01-20T00:00:00Z");
    const longer = await robot.update(id, outs as never, { ...outs, durationDays: 60 } as never);
    expect(longer.outs?.expiresAt).to.equal(harborExpiresAt(created, 60));
    expect(longer.outs?.expiresAt).to.equal(fake.state.robots.get(Number(id))?.expires_at);
  });

  it("a rotation refreshes the secret and leaves the expiry; a renewal creates the robot again", async () => {
    fake.robotClock = created;
    const first = await robot.create(declared({ renewal: "2026-01-01" }));
    fake.robotClock = t("2026-01-31T00:00:00Z");

    const rotated = await robot.update(
      first.id,
      first.outs as never,
      { ...first.outs, rotation: "r2" } as never,
    );
    expect(rotated.outs?.secret).to.not.equal(first.outs.secret);
    expect(fake.state.robots.get(Number(first.id))?.expires_at).to.equal(harborExpiresAt(created, 30));

    const next = { ...rotated.outs, renewal: "2026-01-31" };
    const diff = await robot.diff(first.id, rotated.outs as never, next as never);
    expect(diff).to.include({ deleteBeforeReplace: true });
    expect(diff.replaces).to.deep.equal(["renewal"]);
    // What the engine does for that diff: delete, then create.
    await robot.delete(first.id, rotated.outs as never);
    const renewed = await robot.create(declared({ renewal: "2026-01-31" }));
    expect(renewed.outs.expiresAt).to.equal(harborExpiresAt(t("2026-01-31T00:00:00Z"), 30));
    expect(renewed.outs.fullName).to.equal("robot$apps+ci");
    expect(renewed.outs.secret).to.not.equal(rotated.outs?.secret);
    expect(fake.state.robots.size).to.equal(1);
  });

  it("a robot without a scheduled renewal keeps diffing clean (no renewal input appears)", async () => {
    const { id, outs } = await robot.create(declared());
    const diff = await robot.diff(id, outs as never, { ...outs } as never);
    expect(diff.changes).to.equal(false);
  });
});

describe("robot expiry: the alerts, evaluated by promtool", () => {
  // promtool evaluates from t=0: the robots expire 10 and 30 days after it.
  const group = robotExpiryRules(
    {
      "apps+ci": { expiresAt: 10 * DAY_SECONDS, warningDays: 3 },
      "apps+deploy": { expiresAt: 30 * DAY_SECONDS, warningDays: 3 },
      forever: { expiresAt: -1, warningDays: 14 },
    },
    alerting,
  );

  it("leaves out robots that never expire, and makes no group when none expires", () => {
    expect(group?.rules.map((r) => r.alert)).to.deep.equal(["RobotExpiringSoon", "RobotExpired"]);
    expect(group?.rules[0].expr).to.not.include("forever");
    expect(robotExpiryRules({ forever: { expiresAt: -1, warningDays: 14 } }, alerting)).to.equal(undefined);
    expect(promtoolProblems((group?.rules ?? []).map((r) => r.expr))).to.equal("");
  });

  it("fires RobotExpiringSoon inside the warning window and RobotExpired after, per robot", () => {
    const expiring = (robot: string, seconds: number) => ({
      exp_labels: { severity: "warning", robot },
      exp_annotations: {
        summary: "A Harbor robot account expires soon",
        description: `Robot ${robot} expires in ${seconds / DAY_SECONDS}d 0h 0m 0s; CI using it will be refused then. Renew it (rotateEveryDays, or a longer duration) and run pulumi up.`,
        runbook_url: `${alerting.runbookBaseUrl}/robot-expiring-soon.md`,
      },
    });
    const expired = (robot: string) => ({
      exp_labels: { severity: "critical", robot },
      exp_annotations: {
        summary: "A Harbor robot account has expired",
        description: `Robot ${robot} has expired: Harbor refuses its logins. Renew it and hand the new secret to its users.`,
        runbook_url: `${alerting.runbookBaseUrl}/robot-expired.md`,
      },
    });
    const at = (d: number, name: string, alerts: unknown[]) => ({
      eval_time: `${d}d`,
      alertname: name,
      exp_alerts: alerts,
    });
    const out = promtoolTestRules(
      group ? [group] : [],
      [
        {
          interval: "1h",
          input_series: [],
          alert_rule_test: [
            at(6, "RobotExpiringSoon", []),
            at(8, "RobotExpiringSoon", [expiring("apps+ci", 2 * DAY_SECONDS)]),
            at(8, "RobotExpired", []),
            at(11, "RobotExpiringSoon", []),
            at(11, "RobotExpired", [expired("apps+ci")]),
            at(28, "RobotExpiringSoon", [expiring("apps+deploy", 2 * DAY_SECONDS)]),
          ],
        },
      ],
      "1h",
    );
    expect(out.status, out.out).to.equal(0);
  });
});
