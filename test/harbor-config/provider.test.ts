// CRUD, drift, idempotent re-runs and injected faults for every Harbor resource kind, against the
// spec-checked fake Harbor.
import { expect } from "chai";
import { FakeHarbor } from "../fakes/harbor";
import { HarborProvider, Kind, clientSettings } from "../../components/harbor-config/provider";
import { HarborApiError, HarborClient } from "../../components/harbor-config/client";

type Props = Record<string, unknown>;
const sleeps: number[] = [];
const fastRetry = { sleep: async (ms: number) => void sleeps.push(ms), timeoutMs: 200, random: () => 1 };

describe("harbor-config providers against the fake Harbor", () => {
  let fake: FakeHarbor;
  beforeEach(async () => {
    fake = await new FakeHarbor().start();
    clientSettings.retry = fastRetry;
    sleeps.length = 0;
  });
  afterEach(async () => {
    await fake.stop();
    clientSettings.retry = {};
    expect(fake.violations, "requests/responses outside the OpenAPI spec").to.deep.equal([]);
    expect(
      fake.calls.filter((c) => c.cookie),
      "cookies sent back",
    ).to.deep.equal([]);
  });

  const p = (kind: Kind) => new HarborProvider(kind);
  async function make(kind: Kind, declared: Props) {
    const inputs = { connection: fake.connection, ...declared };
    const r = await p(kind).create(inputs);
    return { id: r.id, outs: r.outs as Props & { connection: typeof fake.connection } };
  }
  async function project(name = "apps", extra: Props = {}) {
    return make("project", {
      name,
      public: false,
      quotaBytes: 1024,
      scanOnPush: true,
      preventVulnerable: "high",
      cosign: true,
      cveAllowlist: ["CVE-2024-1"],
      registryId: 0,
      ...extra,
    });
  }
  const registryDecl = {
    name: "hub",
    type: "docker-hub",
    url: "https://hub.docker.com",
    insecure: false,
    accessKey: "bot",
    accessSecret: "s3cret",
  };

  interface Case {
    kind: Kind;
    declared: () => Promise<Props>;
    change: Props;
    /** Changes Harbor behind the provider's back; the key that must show as drift. */
    drift: (outs: Props) => string;
  }
  const cases: Case[] = [
    {
      kind: "settings",
      declared: async () => ({
        values: {
          storage_per_project: 2048,
          project_creation_restriction: "adminonly",
          robot_token_duration: 30,
          audit_log_forward_endpoint: "",
        },
        writeOnly: {},
      }),
      change: {
        values: {
          storage_per_project: 4096,
          project_creation_restriction: "adminonly",
          robot_token_duration: 30,
          audit_log_forward_endpoint: "",
        },
      },
      drift: () => ((fake.state.configurations.project_creation_restriction = "everyone"), "values"),
    },
    {
      kind: "gc",
      declared: async () => ({ cron: "0 0 3 * * 6", deleteUntagged: true, workers: 2 }),
      change: { workers: 4 },
      drift: () => (((fake.state.schedules.gc as { cron: string }).cron = "0 0 1 * * *"), "cron"),
    },
    {
      kind: "auditLogPurge",
      declared: async () => ({
        cron: "0 0 4 * * 0",
        retentionHours: 720,
        eventTypes: ["create_artifact", "pull_artifact"],
      }),
      change: { retentionHours: 168 },
      drift: () => (
        ((fake.state.schedules.purgeaudit as { parameters: Props }).parameters.audit_retention_hour = 1),
        "retentionHours"
      ),
    },
    {
      kind: "scanAll",
      declared: async () => ({ cron: "0 0 2 * * *" }),
      change: { cron: "0 0 5 * * *" },
      drift: () => (((fake.state.schedules.scanAll as { cron: string }).cron = "0 0 1 * * *"), "cron"),
    },
    {
      kind: "registry",
      declared: async () => registryDecl,
      change: { url: "https://registry-1.docker.io" },
      drift: (o) => (
        ((fake.state.registries.get(o.registryId as number) as Props).insecure = true),
        "insecure"
      ),
    },
    {
      kind: "project",
      declared: async () => (await project()).outs,
      change: { quotaBytes: -1, preventVulnerable: "critical" },
      drift: (o) => (
        ((fake.state.projects.get(o.projectId as number) as { metadata: Props }).metadata.auto_scan =
          "false"),
        "scanOnPush"
      ),
    },
    {
      kind: "robot",
      declared: async () => {
        await project();
        return {
          name: "ci",
          level: "project",
          project: "apps",
          description: "CI",
          durationDays: 30,
          rotation: "",
          permissions: [
            { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "pull" }] },
          ],
        };
      },
      change: {
        permissions: [
          { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "push" }] },
        ],
      },
      drift: (o) => (
        ((fake.state.robots.get(o.robotId as number) as Props).description = "edited"),
        "description"
      ),
    },
    {
      kind: "retention",
      declared: async () => ({
        projectId: (await project()).outs.projectId,
        cron: "0 0 0 * * *",
        rules: [{ template: "latestPushedK", count: 10, repositories: "**", tags: "**", untagged: true }],
      }),
      change: { cron: "0 0 1 * * *" },
      drift: (o) => (
        ((
          fake.state.retentions.get(o.retentionId as number) as { trigger: { settings: Props } }
        ).trigger.settings.cron = "0 0 9 * * *"),
        "cron"
      ),
    },
    {
      kind: "immutableRule",
      declared: async () => ({ projectId: (await project()).outs.projectId, repositories: "**", tags: "v*" }),
      change: { tags: "release-*" },
      drift: (o) => (
        ((
          fake.state.immutable.get(o.ruleId as number) as unknown as { tag_selectors: Props[] }
        ).tag_selectors[0].pattern = "x"),
        "tags"
      ),
    },
    {
      kind: "replication",
      declared: async () => {
        const reg = await make("registry", registryDecl);
        return {
          name: "to-dr",
          registryId: reg.outs.registryId,
          sourceProject: "apps",
          tags: "**",
          destNamespace: "apps",
          trigger: "scheduled",
          cron: "0 0 1 * * *",
          deletion: false,
          override: true,
          enabled: true,
        };
      },
      change: { enabled: false },
      drift: (o) => (
        ((fake.state.replications.get(o.policyId as number) as Props).override = false),
        "override"
      ),
    },
  ];

  for (const c of cases) {
    it(`${c.kind}: create, read, no-op re-run, update, drift, delete`, async () => {
      const declared = { connection: fake.connection, ...(await c.declared()) };
      const prov = p(c.kind);
      const created = await prov.create(declared);
      const outs = created.outs as Props & { connection: typeof fake.connection };

      // Idempotent re-run: refresh (one read) then diff: nothing to change, no mutating call.
      const mark = fake.calls.length;
      const read = await prov.read(created.id, outs);
      expect(read.id).to.equal(created.id);
      const diff = await prov.diff(created.id, read.props, declared);
      expect(diff.changes, JSON.stringify(diff)).to.equal(false);
      expect(fake.mutations(mark)).to.deep.equal([]);
      expect(fake.calls.length - mark).to.be.at.most(c.kind === "project" ? 2 : 1);

      // Update a declared field.
      const news = { ...declared, ...c.change };
      const d2 = await prov.diff(created.id, read.props as never, news);
      expect(d2.changes).to.equal(true);
      expect(d2.replaces).to.deep.equal([]);
      const updated = await prov.update(created.id, read.props as never, news);
      const after = await prov.read(created.id, updated.outs);
      expect((await prov.diff(created.id, after.props, news)).changes, "update converged").to.equal(false);

      // Drift: changed behind Pulumi's back, read shows it, diff detects it.
      const key = c.drift(updated.outs as Props);
      const drifted = await prov.read(created.id, updated.outs);
      const d3 = await prov.diff(created.id, drifted.props, news);
      expect(d3.changes).to.equal(true);
      expect(JSON.stringify((drifted.props as Props)[key])).to.not.equal(
        JSON.stringify((news as Props)[key]),
      );

      await prov.delete(created.id, updated.outs);
      if (c.kind !== "settings") expect((await prov.read(created.id, updated.outs)).id).to.equal(undefined);
    });
  }

  it("project: renaming replaces; the quota goes through /quotas, not PUT /projects", async () => {
    const { id, outs } = await project();
    expect((await p("project").diff(id, outs, { ...outs, name: "apps2" })).replaces).to.deep.equal(["name"]);
    const mark = fake.calls.length;
    await p("project").update(id, outs, { ...outs, quotaBytes: 5 });
    expect(fake.mutations(mark)).to.deep.equal([`PUT /quotas/${outs.quotaId as number}`]);
    expect(fake.state.quotas.get(outs.quotaId as number)?.storage).to.equal(5);
  });

  it("proxy-cache project: Harbor's automatic retention policy is adopted, not duplicated", async () => {
    const reg = await make("registry", registryDecl);
    const proj = await project("dockerhub", { registryId: reg.outs.registryId });
    const auto = proj.outs.retentionId as number;
    expect(auto).to.be.greaterThan(0);
    const ret = await make("retention", {
      projectId: proj.outs.projectId,
      cron: "0 0 0 * * *",
      rules: [{ template: "nDaysSinceLastPull", count: 7, repositories: "**", tags: "**", untagged: true }],
    });
    expect(ret.id).to.equal(String(auto));
    expect(ret.outs.adopted).to.equal(true);
    expect(fake.state.retentions.size).to.equal(1);
    expect(fake.countBy("POST")).to.equal(2); // the registry and the project only
    // Removing the adopted policy from code leaves Harbor's own in place.
    const mark = fake.calls.length;
    await p("retention").delete(ret.id, ret.outs);
    expect(fake.mutations(mark)).to.deep.equal([]);
    expect(fake.state.retentions.size).to.equal(1);
  });

  it("project: deleting one that still holds repositories says so, with Harbor's own message", async () => {
    const { id, outs } = await project();
    fake.inject("DELETE", "/projects/{project_name_or_id}", "412");
    let message = "";
    try {
      await p("project").delete(id, outs);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/^Harbor project apps still has repositories: delete them/);
    expect(message).to.contain("the project contains repositories, can not be deleted");
    expect(fake.countBy("DELETE")).to.equal(1); // a 412 is not retried
  });

  it("robot: secret only from create; rotationTrigger refreshes it through PATCH", async () => {
    await project();
    const decl = {
      name: "ci",
      level: "project",
      project: "apps",
      description: "",
      durationDays: -1,
      rotation: "",
      permissions: [
        { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "pull" }] },
      ],
    };
    const { id, outs } = await make("robot", decl);
    expect(outs.secret)
      .to.be.a("string")
      .and.equal(fake.state.robots.get(Number(id))?.secret);
    expect(outs.fullName).to.equal("robot$apps+ci");
    const read = await p("robot").read(id, outs);
    expect((read.props as Props).secret, "kept from state").to.equal(outs.secret);
    const mark = fake.calls.length;
    const rotated = await p("robot").update(id, outs, { ...outs, rotation: "2026-02" });
    expect(fake.mutations(mark)).to.deep.equal([`PATCH /robots/${id}`]);
    expect(rotated.outs.secret).to.not.equal(outs.secret);
    expect(rotated.outs.secret).to.equal(fake.state.robots.get(Number(id))?.secret);
  });

  it("409 race on create: the existing project is adopted and converged", async () => {
    fake.inject("POST", "/projects", "race");
    const { outs } = await project();
    expect(fake.state.projects.size).to.equal(1);
    expect(outs.projectId).to.equal([...fake.state.projects.keys()][0]);
  });

  it("connection reset after Harbor created the robot: the retry's 409 adopts it and refreshes the secret", async () => {
    await project();
    fake.inject("POST", "/robots", "resetAfter");
    const { outs } = await make("robot", {
      name: "ci",
      level: "project",
      project: "apps",
      description: "",
      durationDays: 7,
      rotation: "",
      permissions: [
        { kind: "project", namespace: "apps", access: [{ resource: "repository", action: "pull" }] },
      ],
    });
    expect(fake.state.robots.size).to.equal(1);
    expect(outs.secret).to.equal([...fake.state.robots.values()][0].secret);
  });

  describe("client faults", () => {
    const client = () => new HarborClient(fake.connection, fastRetry);

    it("retries 500s with growing backoff, then succeeds", async () => {
      fake.inject("GET", "/configurations", "500", 2);
      const res = await client().get("/configurations");
      expect(res.status).to.equal(200);
      expect(sleeps).to.deep.equal([500, 1000]);
    });

    it("honours Retry-After on 429", async () => {
      fake.inject("GET", "/configurations", "429", 1, 7);
      await client().get("/configurations");
      expect(sleeps).to.deep.equal([7000]);
    });

    it("times out a hanging call and retries it", async () => {
      fake.inject("GET", "/configurations", "hang");
      expect((await client().get("/configurations")).status).to.equal(200);
      expect(sleeps).to.have.length(1);
    });

    it("retries a connection reset", async () => {
      fake.inject("GET", "/registries", "reset");
      expect((await client().get("/registries")).status).to.equal(200);
    });

    it("gives up after the attempt budget with Harbor's message and the request id", async () => {
      fake.inject("GET", "/configurations", "500", 10);
      const err = await client()
        .get("/configurations")
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).to.be.instanceOf(HarborApiError);
      const e = err as HarborApiError;
      expect([e.status, e.harborMessage, e.attempts]).to.deep.equal([500, "injected failure", 5]);
      expect(e.message).to.match(
        /^Harbor GET \/configurations failed: HTTP 500: injected failure \(X-Request-Id hp-\S+, after 5 attempts\)$/,
      );
    });

    it("never retries a 401", async () => {
      const bad = new HarborClient({ ...fake.connection, password: "wrong" }, fastRetry);
      const err = (await bad.get("/configurations").catch((e: unknown) => e)) as HarborApiError;
      expect([err.status, err.harborMessage]).to.deep.equal([401, "UnAuthorized"]);
      expect(fake.calls).to.have.length(1);
      expect(sleeps).to.deep.equal([]);
    });

    it("does not blindly retry a POST without duplicate detection", async () => {
      fake.inject("POST", "/retentions", "500");
      const err = (await client()
        .create("/retentions", {})
        .catch((e: unknown) => e)) as HarborApiError;
      expect(err.status).to.equal(500);
      expect(fake.countBy("POST")).to.equal(1);
    });

    it("reads an unset GC schedule (empty 200 body) as absent", async () => {
      expect(
        (await p("gc").read("/system/gc/schedule", { connection: fake.connection } as never)).id,
      ).to.equal(undefined);
    });
  });
});
