// The `__provider` text every Harbor resource carries is what the engine's nodejs
// dynamic-provider host runs: load it the way the host does and drive a project and a robot
// through their lifecycle against the spec-checked fake Harbor.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isBuiltin } from "module";
import type * as pulumi from "@pulumi/pulumi";
import { FakeHarbor } from "../fakes/harbor";
import {
  PROVIDER_MODULES,
  buildProviderModule,
  providerModuleText,
  requiredModules,
} from "../../components/harbor-config/provider-module";
import { ROOT } from "../harness";

type Props = Record<string, unknown>;

/** `requireFromString(text).handler()`, with a `require` that offers node's built-ins only. */
function loadLikeTheHost(text: string): pulumi.dynamic.ResourceProvider {
  const module = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
  const builtinsOnly = (name: string): unknown => {
    if (!isBuiltin(name)) throw new Error(`the provider module required ${name}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  };
  new Function("exports", "require", "module", text)(module.exports, builtinsOnly, module);
  expect(module.exports.handler, "exports.handler").to.be.a("function");
  return module.exports.handler!();
}

describe("harbor-config provider module (what the dynamic-provider host runs)", () => {
  let fake: FakeHarbor;
  beforeEach(async () => {
    fake = await new FakeHarbor().start();
  });
  afterEach(async () => {
    await fake.stop();
    expect(fake.violations, "requests/responses outside the OpenAPI spec").to.deep.equal([]);
  });

  it("creates, reads, diffs, updates and deletes a project and its robot", async () => {
    const provider = loadLikeTheHost(providerModuleText());
    const connection = fake.connection;
    const project: Props = {
      harborKind: "project",
      connection,
      name: "apps",
      public: false,
      quotaBytes: 1024,
      scanOnPush: true,
      preventVulnerable: "high",
      cosign: false,
      cveAllowlist: [],
      registryId: 0,
    };
    const created = await provider.create!(project);
    expect(created.outs.projectId).to.be.a("number");
    expect(fake.state.projects.size).to.equal(1);

    const read = await provider.read!(created.id, created.outs);
    expect(read.id).to.equal(created.id);
    expect(read.props).to.include({ name: "apps", quotaBytes: 1024, harborKind: "project" });
    expect((await provider.diff!(created.id, created.outs, project)).changes).to.equal(false);

    const bigger = { ...project, quotaBytes: 2048 };
    expect((await provider.diff!(created.id, created.outs, bigger)).changes).to.equal(true);
    const updated = await provider.update!(created.id, created.outs, bigger);
    expect((await provider.read!(created.id, updated.outs)).props).to.include({ quotaBytes: 2048 });

    const robot = await provider.create!({
      harborKind: "robot",
      connection,
      name: "ci",
      level: "project",
      project: "apps",
      description: "CI",
      durationDays: 30,
      rotation: "",
      permissions: [
        { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "pull" }] },
      ],
    });
    expect(robot.outs.fullName).to.match(/^robot\$apps\+ci$/);
    expect(robot.outs.secret).to.be.a("string").and.not.equal("");

    await provider.delete!(robot.id, robot.outs);
    await provider.delete!(created.id, updated.outs);
    expect(fake.state.projects.size).to.equal(0);
  });

  it("is the same text on every build and names no path of this checkout", () => {
    const text = providerModuleText();
    expect(buildProviderModule(path.join(ROOT, "components", "harbor-config"), PROVIDER_MODULES)).to.equal(
      text,
    );
    // The text lands in every resource's state: a CI runner's path must not show up as a diff.
    expect(text).not.to.include(ROOT);
  });

  it("holds every module the provider requires, and nothing but node built-ins besides", () => {
    const text = providerModuleText();
    for (const name of requiredModules(text)) {
      expect(
        (PROVIDER_MODULES as readonly string[]).includes(name) || isBuiltin(name),
        `requires ${name}`,
      ).to.equal(true);
    }
    expect(requiredModules(text)).to.include.members(["./client", "https"]);
  });

  it("refuses, in one line, a provider module that requires a package", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-module-"));
    try {
      fs.writeFileSync(
        path.join(dir, "a.ts"),
        'import { x } from "left-pad";\nexport const y: number = x;\n',
      );
      expect(() => buildProviderModule(dir, ["./a"])).to.throw(
        /^harbor provider: \.\/a requires "left-pad", which is neither a node built-in nor one of the provider's modules \(\.\/a\)$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
