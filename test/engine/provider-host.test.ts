// Every Harbor configuration resource the program registers, taken through the real nodejs
// dynamic-provider host (node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js of the pinned
// @pulumi/pulumi 3.248.0) started as its own process and driven over gRPC as `pulumi up`,
// `pulumi refresh` and `pulumi destroy` drive it: Configure, then per resource Check and Create,
// Read, Check + Diff (+ Update) for the next run of the program, and Delete. The inputs are the
// program's own registrations (the SDK's serialized inputs, secrets wrapped) for the dev and
// prod stacks and for the documented harborConfig example, which uses every kind; Harbor is the
// spec-checked fake served over TLS with a certificate from the project CA. State written by the
// previous release, whose `__provider` was the whole provider text, keeps working.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { FakeHarbor } from "../fakes/harbor";
import { makeCa } from "../fakes/pki";
import { ROOT, StackSecret, evaluateStack, type StackRun } from "../harness";
import { KINDS } from "../../components/harbor-config/provider";
import { HOST_ENTRY } from "../../components/harbor-config/provider-module";
import { unary } from "./plugin";
import { engineInputs, harborRegistrations, startHarborHost, type HarborHost } from "./harbor-host";
import { lifecycle } from "./harbor-lifecycle";
import { previousProviderText } from "./previous-provider";

type Json = Record<string, unknown>;

/** The harborConfig of the documented example (docs/harbor-config.md). */
function documentedHarborConfig(): unknown {
  const md = fs.readFileSync(path.join(ROOT, "docs", "harbor-config.md"), "utf8");
  for (const [, block] of md.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const doc = parseAllDocuments(block)[0]?.toJS() as { config?: Json } | undefined;
    const cfg = doc?.config?.["harbor-platform:harborConfig"];
    if (cfg) return cfg;
  }
  throw new Error("docs/harbor-config.md has no harbor-platform:harborConfig example");
}

/** The same config with one declared value of every resource changed. */
function changedEveryKind(cfg: unknown): unknown {
  const c = structuredClone(cfg) as {
    settings: Json;
    gc: Json;
    projects: (Json & { retention: { rules: Json[] }; immutableTags: Json[] })[];
    robots: Json[];
    registries: Json[];
    replications: Json[];
  };
  c.settings.projectQuota = "300Gi";
  c.gc.workers = 3;
  Object.assign(c, { auditLogPurge: { retentionHours: 100 }, scanAll: { cron: "0 0 5 * * *" } });
  c.registries[0].url = "https://dr2.example.com";
  c.projects[0].quota = "60Gi";
  c.projects[0].retention.rules[0].count = 5;
  c.projects[0].immutableTags[0].tags = "release-*";
  c.robots[0].rotation = "2026-02";
  c.robots[1].description = "scans everything";
  c.replications[0].cron = "0 0 4 * * *";
  return c;
}

const EVERY_KIND_SECRETS = {
  oidcClientSecret: new StackSecret("stand-in-oidc-client-secret"),
  drRegistrySecret: new StackSecret("stand-in-dr-registry-secret"),
};

describe("Harbor resources through the real dynamic-provider host (gRPC, as the engine drives it)", function () {
  const projectCa = makeCa("harbor-platform test root CA");
  const serverCert = projectCa.serverCert();
  let host: HarborHost;
  let fake: FakeHarbor;

  before(async () => {
    host = await startHarborHost();
  });
  after(async () => {
    await host?.plugin.stop();
  });
  beforeEach(async () => {
    fake = await new FakeHarbor().start(serverCert);
  });
  afterEach(async () => {
    await fake.stop();
    expect(fake.violations, "requests/responses outside Harbor's OpenAPI spec").to.deep.equal([]);
    expect(host.plugin.output().stderr, "host stderr").to.equal("");
    // The host takes the engine address but never calls it (no Log, no root resource).
    expect(host.plugin.engine.logs, "host's engine logs").to.deep.equal([]);
  });

  it("is the pinned SDK's host; it takes secrets as plain values and has no preview, so the engine keeps secrets itself", async () => {
    const client = host.plugin.client(ResourceProviderClient);
    const info = await unary<PluginInfo>((cb) => client.getPluginInfo(new Empty(), cb));
    expect(info.getVersion()).to.equal(
      (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as Json).version,
    );
    // accept_secrets false: the engine strips secrets from every request and re-marks the state
    // from the inputs and additionalSecretOutputs. supports_preview false: no Create in a preview.
    expect(host.configured.getAcceptsecrets()).to.equal(false);
    expect(host.configured.getSupportspreview()).to.equal(false);
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack} stack: every Harbor resource is created and refreshed; the same program again changes nothing; all are deleted`, async () => {
      const run = await evaluateStack(stack);
      const { kindsCreated, kindsUpdated } = await lifecycle(host, projectCa.cert, [run, run], fake);
      expect(kindsCreated.size, "kinds created").to.be.greaterThan(0);
      expect([...kindsUpdated], "no perpetual diff").to.deep.equal([]);
    });
  }

  it("the documented harborConfig uses every kind; each is created, refreshed, updated and deleted", async () => {
    // Scan-all is off by default in dev; the example leaves it to the default.
    const cfg = { ...(documentedHarborConfig() as Json), scanAll: { cron: "0 0 2 * * *" } };
    // dev: prod's auditLogSyslog already sets the example's auditLogForwardEndpoint.
    const runs: [StackRun, StackRun] = [
      await evaluateStack("dev", { harborConfig: cfg, ...EVERY_KIND_SECRETS }),
      await evaluateStack("dev", { harborConfig: changedEveryKind(cfg), ...EVERY_KIND_SECRETS }),
    ];
    const { kindsCreated, kindsUpdated } = await lifecycle(host, projectCa.cert, runs, fake);
    expect([...kindsCreated].sort()).to.deep.equal([...KINDS].sort());
    expect([...kindsUpdated].sort()).to.deep.equal([...KINDS].sort());
  });

  describe("state written by the previous release (the whole provider text in __provider)", () => {
    const previous = previousProviderText();
    let everyKind: [StackRun, StackRun];
    before(async () => {
      const cfg = { ...(documentedHarborConfig() as Json), scanAll: { cron: "0 0 2 * * *" } };
      everyKind = [
        await evaluateStack("dev", { harborConfig: cfg, ...EVERY_KIND_SECRETS }),
        await evaluateStack("dev", { harborConfig: changedEveryKind(cfg), ...EVERY_KIND_SECRETS }),
      ];
    });

    it("every kind: refreshed with that text, then checked, diffed and updated by the new program, and deleted", async () => {
      expect(previous.length, "the previous text is the provider itself").to.be.greaterThan(30_000);
      const { kindsCreated, kindsUpdated } = await lifecycle(host, projectCa.cert, everyKind, fake, {
        firstProvider: previous,
      });
      expect([...kindsCreated].sort()).to.deep.equal([...KINDS].sort());
      expect([...kindsUpdated].sort()).to.deep.equal([...KINDS].sort());
    });

    it("every kind: destroyed with that text, as the state holds it", async () => {
      const { kindsCreated } = await lifecycle(host, projectCa.cert, everyKind, fake, {
        firstProvider: previous,
        secondUp: false,
      });
      expect([...kindsCreated].sort()).to.deep.equal([...KINDS].sort());
    });

    it("the program unchanged: the next up moves every resource to the loader without a Harbor call", async () => {
      const run = await evaluateStack("prod");
      const { movedToLoader, kindsCreated } = await lifecycle(host, projectCa.cert, [run, run], fake, {
        firstProvider: previous,
      });
      expect(movedToLoader, "resources moved").to.equal(harborRegistrations(run).length);
      expect(kindsCreated.size).to.be.greaterThan(1);
    });
  });
});

describe("the Harbor provider loader outside the project folder", function () {
  let host: HarborHost;
  before(async () => {
    // The host started elsewhere than the project folder: a misconfigured runner.
    host = await startHarborHost({}, os.tmpdir());
  });
  after(async () => {
    await host?.plugin.stop();
  });

  it("fails each call with one line naming the entry, the folder and the remedy", async () => {
    const run = await evaluateStack("dev");
    const fake = await new FakeHarbor().start();
    try {
      const r = harborRegistrations(run)[0];
      const news = engineInputs(run, r, fake, "", new Map());
      const failure = await host.driver.check(r, {}, news).then(
        () => "checked",
        (e: Error & { details?: string }) => e.details ?? e.message,
      );
      expect(failure).to.equal(
        `harbor provider: ${HOST_ENTRY} not found in ${fs.realpathSync(os.tmpdir())}; run pulumi in the harbor-platform project folder (the one with Pulumi.yaml) with its node_modules installed`,
      );
      expect(fake.calls, "Harbor calls").to.deep.equal([]);
    } finally {
      await fake.stop();
    }
  });
});
