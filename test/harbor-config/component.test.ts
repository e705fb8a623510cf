// The component under the SDK's mocks: the expected dynamic resources, robot secrets secret, and
// every resource carrying the provider loader the dynamic-provider host runs.
import { expect } from "chai";
import { LDAP_AUTH } from "../harness/options";
import * as pulumi from "@pulumi/pulumi";
// The component registers nothing at import time, so importing it before setMocks is safe.
import { HarborConfiguration, HarborProject, buildSettings } from "../../components/harbor-config";
import { PROVIDER_LOADER } from "../../components/harbor-config/provider-module";
import { runUnderMocks } from "../harness";
import { parseHarborConfiguration } from "../config/sections";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
// Set in a hook, not at load time: other test files install their own mocks when they run.
const installMocks = () =>
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const outs: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":HarborRobot")) outs.secret = `secret-of-${args.name}`;
        if (args.type.endsWith(":HarborProject")) outs.projectId = 7;
        return { id: `${args.name}-id`, state: outs };
      },
      call: (args) => args.inputs,
    },
    "harbor-platform",
    "prod",
    false,
  );

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("HarborConfiguration component (mocks)", () => {
  beforeEach(installMocks);
  it("registers settings, schedules, registry, projects, retention and robots; robot secrets stay secret", async () => {
    const spec = parseHarborConfiguration(
      {
        projects: [{ name: "apps", immutableTags: [{ tags: "v*" }] }],
        robots: [{ name: "ci", project: "apps", access: ["repository:push"] }],
      },
      "prod",
    );
    const c = new HarborConfiguration("harbor", {
      url: "https://harbor.example.com",
      username: "admin",
      password: pulumi.secret("pw"),
      caCert: "PEM",
      spec,
      secrets: {},
    });
    const secrets = await value(c.robotSecrets);
    expect(secrets).to.deep.equal({ "apps+ci": "secret-of-harbor-robot-apps-ci" });
    expect(await pulumi.isSecret(c.robotSecrets)).to.equal(true);
    // Retention and immutable rules register once their project id resolves.
    await value(c.projectIds);
    for (let i = 0; i < 20 && !registered.some((r) => r.type.endsWith(":HarborRetention")); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const types = registered
      .filter((r) => r.name.startsWith("harbor"))
      .map((r) => r.type.split(":").pop())
      .sort();
    expect(types).to.deep.equal([
      "HarborAuditLogPurge",
      "HarborConfiguration",
      "HarborGc",
      "HarborImmutableRule",
      "HarborProject",
      "HarborProject",
      "HarborRegistry",
      "HarborRetention",
      "HarborRobot",
      "HarborScanAll",
      "HarborSettings",
    ]);
    for (const r of registered.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic"))) {
      expect(r.inputs.__provider, `${r.name} runs the provider loader`).to.equal(PROVIDER_LOADER);
    }
  });

  it("fails with one line when a referenced secret config key is not set", () => {
    const spec = parseHarborConfiguration(
      {
        settings: {
          auth: LDAP_AUTH,
        },
      },
      "dev",
    );
    expect(
      () =>
        new HarborConfiguration("h2", {
          url: "u",
          username: "a",
          password: "p",
          caCert: "",
          spec,
          secrets: {},
        }),
    ).to.throw("the secret config key ldapPassword must be set");
  });
});

describe("HarborConfiguration at scale (mocks)", () => {
  const connection = { url: "https://h.example.com", username: "admin", password: "pw", caCert: "" };

  const perTurn = buildSettings.resourcesPerTurn;
  afterEach(() => (buildSettings.resourcesPerTurn = perTurn));

  it("builds a spec larger than one turn in several: every project and robot registers, each robot after its project, and the outputs wait for all", async () => {
    buildSettings.resourcesPerTurn = 4;
    const names = Array.from({ length: 9 }, (_, i) => `team-${i}`);
    const spec = parseHarborConfiguration(
      {
        projects: names.map((name) => ({ name })),
        robots: names.map((project) => ({ name: "ci", project, access: ["repository:push"] })),
      },
      "prod",
    );
    let c: HarborConfiguration | undefined;
    // Nothing exported: the evaluation ends when the SDK has no RPC in flight.
    const run = await runUnderMocks("prod", () => {
      c = new HarborConfiguration("h", { ...connection, spec, secrets: {} });
    });
    // prod's defaults add the dockerhub proxy cache.
    const projects = run
      .byType("pulumi-nodejs:dynamic/harbor:HarborProject")
      .filter((p) => String(p.inputs.name).startsWith("team-"));
    const robots = run.byType("pulumi-nodejs:dynamic/harbor:HarborRobot");
    expect(projects.map((p) => p.inputs.name)).to.have.members(names);
    expect(robots.length).to.equal(names.length);
    for (const r of robots) {
      const project = projects.find((p) => p.inputs.name === r.inputs.project);
      expect(r.dependencies, `${r.name} waits for its project`).to.include(project?.urn);
    }
    expect(Object.keys(await value(c!.robotNames))).to.have.members(names.map((n) => `${n}+ci`));
    expect(Object.keys(await value(c!.projectIds))).to.include.members(names);
  });

  it("a Harbor resource object keeps only its declared outputs; the engine still gets every input", async () => {
    let project: HarborProject | undefined;
    const run = await runUnderMocks("prod", () => {
      project = new HarborProject("p", connection, {
        name: "apps",
        public: false,
        quotaBytes: 1,
        scanOnPush: true,
        preventVulnerable: "high",
        cosign: false,
        cveAllowlist: [],
        registryId: 0,
      });
    });
    const own = Object.keys(project as object).filter((k) => !k.startsWith("__"));
    expect(own.sort()).to.deep.equal(["id", "projectId", "quotaId", "retentionId", "urn"]);
    expect(run.one("pulumi-nodejs:dynamic/harbor:HarborProject").inputs).to.include({
      name: "apps",
      harborKind: "project",
      __provider: PROVIDER_LOADER,
    });
  });
});
