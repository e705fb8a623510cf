// What the stacks register to guard a change of Harbor's chart version: the gate first, a backup
// named after the target version that Harbor's Release waits for, a Release that can never roll
// back on its own and waits as long as core's migration may run, and a smoke-test Job after
// Harbor and its configuration.
import { expect } from "chai";
import { cnpgPreUpgradeBackup, preUpgradeBackupName } from "../../components/database";
import { CORE_STARTUP_SECONDS, GATE_TYPE, SMOKE_PROJECT } from "../../components/harbor";
import { chartImages, charts } from "../../versions";
import { CHART_IMAGE_SETTINGS } from "../../versions/chart-images";
import { coalesce } from "../conformance/helm-values";
import { chartData } from "../conformance/upstream";
import { at, evaluateStack, runUnderMocks, type Registered, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const BACKUP = "kubernetes:postgresql.cnpg.io/v1:Backup";
const JOB = "kubernetes:batch/v1:Job";
const SMOKE = "harbor-platform-smoke-test";

const harborOf = (run: StackRun) => run.one(RELEASE, "harbor");
/**
 * A stack whose gate already recorded a deployed Harbor: what the gate's provider answers after an
 * update from chart 1.18.4 (upgrade-gate.cjs `update`: the old version becomes
 * previousChartVersion), which the first install's state never carries.
 */
const UPGRADING = { outputs: { [GATE_TYPE]: { previousChartVersion: "1.18.4" } } } as const;
const envOf = (job: Registered) =>
  Object.fromEntries(
    (
      at(job.inputs, "spec.template.spec.containers") as {
        env: { name: string; value?: string; valueFrom?: unknown }[];
      }[]
    )[0].env.map((e) => [e.name, e.value ?? e.valueFrom]),
  );

describe("guarded upgrades: the Harbor release", () => {
  for (const stack of ["dev", "prod"])
    it(`${stack}: never atomic nor cleanupOnFail, and waits as long as core's startup probe lets the migration run`, async () => {
      const harbor = harborOf(await evaluateStack(stack));
      expect(harbor.inputs.atomic ?? false).to.equal(false);
      expect(harbor.inputs.cleanupOnFail ?? false).to.equal(false);
      // The probe as the chart renders it from its values (harbor-helm 1.19.2 core-dpl.yaml
      // startupProbe: initialDelaySeconds, periodSeconds x failureThreshold).
      const v = coalesce(
        chartData(charts.harbor.upstream).values,
        harbor.inputs.values as Record<string, unknown>,
      );
      const probe = at(v, "core.startupProbe") as Record<string, number>;
      const budget = probe.initialDelaySeconds + probe.periodSeconds * probe.failureThreshold;
      expect(CORE_STARTUP_SECONDS).to.equal(budget);
      expect(harbor.inputs.timeout).to.be.greaterThan(budget);
    });

  it("deploys the chart version the config names, with the same repository", async () => {
    const harbor = harborOf(await evaluateStack("prod", { harborChartVersion: "1.19.4" }));
    expect(harbor.inputs).to.include({ chart: "harbor", version: "1.19.4" });
    expect(at(harbor.inputs, "repositoryOpts.repo")).to.equal(charts.harbor.repo);
    // Its images are the chart's own defaults: the pin's image settings (versions/chart-images.ts,
    // tag v2.15.2) would run another release's images; the pin sets every one of them.
    for (const s of CHART_IMAGE_SETTINGS.harbor)
      expect(at(harbor.inputs.values, s.path), s.path).to.equal(undefined);
    const pinned = harborOf(await evaluateStack("prod"));
    expect(at(pinned.inputs.values, "core.image")).to.deep.equal(chartImages.harborCore);
  });
});

describe("guarded upgrades: a chart outside the verified set", () => {
  for (const stack of ["dev", "prod"])
    it(`${stack}: warns in every run that the chart is outside the verified set; the pin does not`, async () => {
      const warnings = (run: StackRun) => run.logs.filter((l) => l.severity === "warn").map((l) => l.message);
      expect(warnings(await evaluateStack(stack, { harborChartVersion: "1.19.4" }))).to.include(
        "harborChartVersion 1.19.4 is outside the verified set (1.19.2): its values are not checked against that chart's values.yaml; the pre-upgrade backup and the smoke test still run",
      );
      expect(
        warnings(await evaluateStack(stack)).filter((w) => w.includes("outside the verified set")),
      ).to.deep.equal([]);
    });
});

describe("guarded upgrades: prod's backup before the Release", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  it("takes an on-demand plugin backup of the Harbor database, named after the target chart version", async () => {
    const backup = run.one(BACKUP);
    expect(at(backup.inputs, "metadata")).to.deep.include({
      name: "harbor-pg-pre-harbor-1-19-2",
      namespace: "harbor-db",
    });
    expect(backup.inputs.spec).to.deep.equal({
      cluster: { name: "harbor-pg" },
      method: "plugin",
      pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
    });
    // A new version is a new Backup; the old one stays in the cluster.
    expect(backup.retainOnDelete).to.equal(true);
    const other = await evaluateStack("prod", { harborChartVersion: "1.19.4" });
    expect(at(other.one(BACKUP).inputs, "metadata.name")).to.equal(
      preUpgradeBackupName("harbor-pg", "1.19.4"),
    );
  });

  it("Harbor's Release waits for it, and it waits for the upgrade gate's verdict", () => {
    const backup = run.one(BACKUP);
    const gate = run.one(GATE_TYPE);
    expect(harborOf(run).dependencies).to.include(backup.urn);
    expect(backup.inputDependencies).to.include(gate.urn);
    expect(gate.inputs.chartVersion).to.equal("1.19.2");
  });

  it("a first install does not wait for it: no schema to protect yet, and the database comes up beside Harbor", () => {
    expect(at(run.one(BACKUP).inputs, "metadata.annotations")).to.deep.equal({
      "pulumi.com/skipAwait": "true",
    });
    const cluster = run.one("kubernetes:postgresql.cnpg.io/v1:Cluster");
    expect(run.one(BACKUP).dependencies).to.not.include(cluster.urn);
  });

  it("a real upgrade (the gate's state names a previous chart) waits for it before the Release", async () => {
    const up = await evaluateStack("prod", {}, UPGRADING);
    const backup = up.one(BACKUP);
    expect(at(backup.inputs, "metadata.annotations")).to.deep.equal({
      "pulumi.com/waitFor": "jsonpath={.status.phase}=completed",
      "pulumi.com/timeoutSeconds": "7200",
    });
    expect(harborOf(up).dependencies).to.include(backup.urn);
    expect(backup.inputDependencies).to.include(up.one(GATE_TYPE).urn);
  });

  it("an upgrade waits until CloudNativePG reports it completed, for as long as harborUpgrade.backupTimeout", async () => {
    const up = await runUnderMocks("prod", () => {
      cnpgPreUpgradeBackup(
        "b",
        {
          namespace: "harbor-db",
          clusterName: "harbor-pg",
          chartVersion: "1.19.4",
          timeoutSeconds: 1800,
          awaited: true,
        },
        {},
      );
    });
    expect(at(up.one(BACKUP).inputs, "metadata.annotations")).to.deep.equal({
      "pulumi.com/waitFor": "jsonpath={.status.phase}=completed",
      "pulumi.com/timeoutSeconds": "1800",
    });
  });
});

describe("guarded upgrades: dev's copy of the internal database", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("dev");
  });

  it("dumps the chart's database with the target release's harbor-db image before the Release", () => {
    const dump = run.byType(JOB).find((j) => at(j.inputs, "metadata.name") === "harbor-db-dump-1-19-2");
    expect(dump, "the dump Job").to.not.equal(undefined);
    const job = dump as Registered;
    expect(harborOf(run).dependencies).to.include(job.urn);
    expect(job.dependencies).to.include(run.one(GATE_TYPE).urn);
    const container = (at(job.inputs, "spec.template.spec.containers") as Record<string, unknown>[])[0];
    // The image the chart runs its internal database with, at the target release.
    const values = chartData(charts.harbor.upstream).values;
    expect(container.image).to.equal(
      `${String(at(values, "database.internal.image.repository"))}:${String(at(values, "database.internal.image.tag"))}`,
    );
    // The password from the chart's own Secret, optional: absent on a first install.
    expect(envOf(job)).to.deep.include({
      PGHOST: "harbor-database",
      PGUSER: "postgres",
      PGDATABASE: "registry",
      PGPASSWORD: { secretKeyRef: { name: "harbor-database", key: "POSTGRES_PASSWORD", optional: true } },
      TARGET: "1.19.2",
    });
    expect(job.secretPaths).to.deep.equal([]);
  });

  it("a real upgrade (the gate's state names a previous chart) runs it, awaited, before the Release", async () => {
    const up = await evaluateStack("dev", {}, UPGRADING);
    const dump = up.byType(JOB).find((j) => at(j.inputs, "metadata.name") === "harbor-db-dump-1-19-2");
    expect(dump, "the dump Job").to.not.equal(undefined);
    const job = dump as Registered;
    expect(harborOf(up).dependencies).to.include(job.urn);
    expect(job.dependencies).to.include(up.one(GATE_TYPE).urn);
    // pulumi-kubernetes awaits a Job until Complete unless told to skip (provider/pkg/await).
    expect(at(job.inputs, "metadata.annotations") ?? {}).to.not.have.property("pulumi.com/skipAwait");
  });

  it("keeps the dumps on their own volume of the NAS class, which a delete leaves in place", () => {
    const claim = run.one("kubernetes:core/v1:PersistentVolumeClaim");
    expect(at(claim.inputs, "spec")).to.deep.include({ storageClassName: "nfs-client" });
    expect(at(claim.inputs, "spec.resources.requests.storage")).to.equal("10Gi");
    expect(claim.retainOnDelete).to.equal(true);
  });
});

describe("guarded upgrades: the smoke test after Harbor", () => {
  for (const stack of ["dev", "prod"])
    it(`${stack}: runs after Harbor and its whole configuration, as the release's own prepare image`, async () => {
      const run = await evaluateStack(stack);
      const smoke = run.one(JOB, SMOKE);
      expect(smoke.dependencies).to.include(harborOf(run).urn);
      const config = run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/harbor:"));
      expect(config.length).to.be.greaterThan(0);
      expect(smoke.dependencies).to.include.members(config.map((r) => r.urn));
      expect(at(smoke.inputs, "metadata.name")).to.equal("harbor-smoke-1-19-2");
      const container = (at(smoke.inputs, "spec.template.spec.containers") as Record<string, unknown>[])[0];
      expect(container.image).to.equal("docker.io/goharbor/prepare:v2.15.2");
      // Fails fast enough for the up to report it: a bounded run, one retry.
      expect(at(smoke.inputs, "spec.backoffLimit")).to.equal(1);
      expect(at(smoke.inputs, "spec.activeDeadlineSeconds")).to.be.a("number");
      // The admin password only by reference: nothing secret in the Job.
      expect(smoke.secretPaths).to.deep.equal([]);
      expect(envOf(smoke)).to.deep.include({
        ADMIN_PASSWORD: { secretKeyRef: { name: "harbor-credentials", key: "HARBOR_ADMIN_PASSWORD" } },
        SMOKE_PROJECT,
        EXPECT_VERSION: "2.15.2",
      });
    });

  it("prod: talks to core over its internal TLS, trusting the project CA, and pulls through the Docker Hub proxy cache", async () => {
    const smoke = (await evaluateStack("prod")).one(JOB, SMOKE);
    expect(envOf(smoke)).to.deep.include({
      HARBOR_URL: "https://harbor-core.harbor.svc",
      CA_FILE: "/etc/harbor-smoke/ca.crt",
      PROXY_PROJECT: "dockerhub",
      PROXY_IMAGE: "library/hello-world:latest",
    });
    expect(at(smoke.inputs, "spec.template.spec.volumes")).to.deep.equal([
      { name: "ca", secret: { secretName: "harbor-platform-ca" } },
    ]);
  });

  it("dev: plain http inside the namespace, no proxy cache declared, no proxy pull", async () => {
    const env = envOf((await evaluateStack("dev")).one(JOB, SMOKE));
    expect(env.HARBOR_URL).to.equal("http://harbor-core.harbor.svc");
    expect(env).to.not.have.property("PROXY_PROJECT");
    expect(env).to.not.have.property("CA_FILE");
  });

  it("is left out when harborUpgrade.smokeTest is false", async () => {
    const run = await evaluateStack("dev", { harborUpgrade: { smokeTest: false } });
    expect(run.byType(JOB).map((j) => j.name)).to.not.include(SMOKE);
  });
});
