// Robots on the stacks: the expiry alerts prod registers from Harbor's expires_at, the scheduled
// renewal's token on the robot, the pull Secrets in the named namespaces (following the robot's
// credentials, secret on the wire), and the robotExpiry stack output.
import { expect } from "chai";
import { at, evaluateStack, type Registered, type StackRun } from "../harness";
import { customResourceProblems } from "../conformance/crds";
import { DAY_SECONDS, renewalToken } from "../../components/harbor-config/expiry";

const ROBOT = "pulumi-nodejs:dynamic/harbor:HarborRobot";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const SECRET = "kubernetes:core/v1:Secret";
/** The mocks create every robot at 2026-01-01 UTC (test/harness/mock-outputs.ts). */
const CREATED = Date.UTC(2026, 0, 1) / 1000;

const harborConfig = (robots: Record<string, unknown>[]) => ({
  projects: [{ name: "apps" }],
  robots,
});
const ci = {
  name: "ci",
  project: "apps",
  access: ["repository:pull", "repository:push"],
  duration: 90,
  rotateEveryDays: 30,
  pullSecretNamespaces: ["apps", "argocd"],
};
const pullSecrets = (run: StackRun) =>
  run.byType(SECRET).filter((s) => at(s.inputs, "type") === "kubernetes.io/dockerconfigjson");
const robotRule = (run: StackRun) =>
  run.byType(RULE).find((r) => at(r.inputs, "metadata.name") === "harbor-platform-robots");

describe("robots on the prod stack: expiry alerts, renewal, pull Secrets", () => {
  let run: StackRun;
  let robot: Registered;
  before(async () => {
    run = await evaluateStack("prod", { harborConfig: harborConfig([ci]) });
    robot = run.byType(ROBOT)[0];
  });

  it("alerts on each robot's expiry from Harbor's expires_at, with the robot's warning window", () => {
    const rule = robotRule(run);
    expect(at(rule?.inputs, "metadata.namespace")).to.equal("harbor");
    expect(at(rule?.inputs, "metadata.labels")).to.deep.equal({
      "harbor-platform/prometheus": "kube-prometheus-stack",
    });
    const [group] = at(rule?.inputs, "spec.groups") as { rules: { alert: string; expr: string }[] }[];
    const expires = CREATED + 90 * DAY_SECONDS;
    expect(group.rules.map((r) => r.alert)).to.deep.equal(["RobotExpiringSoon", "RobotExpired"]);
    expect(group.rules[0].expr).to.equal(
      `(label_replace(vector(${expires} - time()), "robot", "apps+ci", "", "") < ${14 * DAY_SECONDS}) > 0`,
    );
    // It follows the robot: a renewal rewrites it.
    expect(rule?.inputDependencies).to.include(robot.urn);
    expect(customResourceProblems(rule?.inputs ?? {})).to.deep.equal([]);
  });

  it("gives the robot the token of the current renewal period", () => {
    expect(robot.inputs.renewal).to.equal(renewalToken(Date.now(), 30));
  });

  it("delivers the robot's credentials as a dockerconfigjson Secret in each named namespace, secret on the wire", () => {
    const secrets = pullSecrets(run);
    expect(secrets.map((s) => at(s.inputs, "metadata.namespace"))).to.have.members(["apps", "argocd"]);
    for (const s of secrets) {
      expect(at(s.inputs, "metadata.name")).to.equal("harbor-robot-apps-ci");
      expect(s.secretPaths).to.include("stringData");
      // Rewritten whenever the robot's name or secret changes.
      expect(s.propertyDependencies.stringData).to.include(robot.urn);
    }
    const [first] = secrets;
    const json = (first.inputs.stringData as Record<string, string>)[".dockerconfigjson"];
    const auths = (
      JSON.parse(json) as { auths: Record<string, { username: string; password: string; auth: string }> }
    ).auths;
    const entry = auths["harbor.example.com"];
    expect(entry.username).to.equal("robot$apps+ci");
    expect(entry.password).to.equal(robot.wire.computed.secret);
    expect(Buffer.from(entry.auth, "base64").toString()).to.equal(`robot$apps+ci:${entry.password}`);
  });

  it("keeps the pull Secrets following the robot: no ignoreChanges, their data from the robot's secret output", async () => {
    // Harbor answers a rotation or renewal with a new secret: the robot's output, a secret itself.
    expect(robot.additionalSecretOutputs).to.include("secret");
    const rotated = "robot-secret-after-rotation";
    const after = await evaluateStack(
      "prod",
      { harborConfig: harborConfig([ci]) },
      { outputs: { [ROBOT]: { secret: rotated } } },
    );
    for (const [r, password] of [
      [run, robot.wire.computed.secret],
      [after, rotated],
    ] as const) {
      const secrets = pullSecrets(r);
      expect(secrets).to.have.length(2);
      for (const s of secrets) {
        // Nothing the engine would keep from the first write.
        expect(s.ignoreChanges, s.name).to.deep.equal([]);
        expect(s.secretPaths).to.include("stringData");
        const json = (s.inputs.stringData as Record<string, string>)[".dockerconfigjson"];
        const entry = (JSON.parse(json) as { auths: Record<string, { password: string }> }).auths[
          "harbor.example.com"
        ];
        expect(entry.password).to.equal(password);
      }
    }
  });

  it("exports each robot's expiry, warning start and next renewal", () => {
    const out = run.outputs.robotExpiry.value as Record<string, Record<string, string>>;
    expect(out["apps+ci"].expiresAt).to.equal("2026-04-01T00:00:00Z");
    expect(out["apps+ci"].warningFrom).to.equal("2026-03-18T00:00:00Z");
    expect(out["apps+ci"].renewsFrom).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(run.outputs.robotExpiry.secret).to.equal(false);
  });
});

describe("robots on the stacks: where there is nothing to alert on, or no Prometheus", () => {
  it("prod: robots that never expire get no expiry rule", async () => {
    const run = await evaluateStack("prod", {
      harborConfig: harborConfig([
        { name: "ci", project: "apps", access: ["repository:pull"], duration: -1 },
      ]),
    });
    expect(robotRule(run)).to.equal(undefined);
    expect(run.byType(ROBOT)[0].inputs).to.not.have.property("renewal");
    expect(pullSecrets(run)).to.deep.equal([]);
    expect((run.outputs.robotExpiry.value as Record<string, unknown>)["apps+ci"]).to.deep.equal({
      expiresAt: "never",
    });
  });

  it("dev: no PrometheusRule (no prometheus-operator assumed), the pull Secrets and the expiry output all the same", async () => {
    const run = await evaluateStack("dev", { harborConfig: harborConfig([ci]) });
    expect(run.byType(RULE)).to.deep.equal([]);
    expect(pullSecrets(run).map((s) => at(s.inputs, "metadata.namespace"))).to.have.members([
      "apps",
      "argocd",
    ]);
    expect(
      (run.outputs.robotExpiry.value as Record<string, { expiresAt: string }>)["apps+ci"].expiresAt,
    ).to.equal("2026-04-01T00:00:00Z");
  });
});
