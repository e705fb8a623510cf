// Validates the CI workflows users run (.github/workflows). Every action input is held to the
// action's own action.yml, pinned in upstream/github-actions at the newest tag of the major the
// workflows use (pulumi/actions v6.6.1, actions/checkout v4.4.0, actions/setup-node v4.4.0; see
// that folder's SOURCE.md): GitHub ignores an undeclared input with only a warning, which once
// turned the policy pack off. The security tests hold the credential layout of docs/ci.md.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT as ROOT, upstreamFile } from "./upstream";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on"?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: string | Record<string, string>;
  strategy?: { matrix?: { stack?: string[] } };
  steps?: Step[];
}
interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: string | Record<string, string>;
  jobs?: Record<string, Job>;
}
interface ActionInput {
  description?: string;
  required?: boolean | string;
  default?: unknown;
}
interface ActionYml {
  inputs?: Record<string, ActionInput>;
}

const DIR = path.join(ROOT, ".github", "workflows");
const load = (file: string) => parseYaml(fs.readFileSync(path.join(DIR, file), "utf8")) as Workflow;
const USES = /^([\w.-]+)\/([\w.-]+(?:\/[\w.-]+)*)@(v\d+)$/;
const OIDC_SCRIPT = "scripts/aws-oidc-credentials.sh";

/** The pinned action.yml of `owner/name@vN` (the file `owner+name@vN.yml`); throws if none. */
function actionYml(uses: string): ActionYml {
  const m = USES.exec(uses);
  if (!m) throw new Error(`${uses}: not owner/name@v<major>, so no pinned action.yml can be matched`);
  const file = `${m[1]}+${m[2].replace(/\//g, "+")}@${m[3]}.yml`;
  return parseYaml(fs.readFileSync(upstreamFile("github-actions", file), "utf8")) as ActionYml;
}

const steps = (wf: Workflow): [string, Job, Step][] =>
  Object.entries(wf.jobs ?? {}).flatMap(([name, job]) =>
    (job.steps ?? []).map((s): [string, Job, Step] => [name, job, s]),
  );
const pulumiSteps = (wf: Workflow) => steps(wf).filter(([, , s]) => s.uses?.startsWith("pulumi/actions@"));
const environmentOf = (job: Job) =>
  typeof job.environment === "object" ? job.environment.name : job.environment;
const permissionsOf = (p: Job["permissions"]) => (typeof p === "object" ? p : {});
/** Names after `secrets.` / `vars.` in every expression of a job. */
const referenced = (job: Job, kind: "secrets" | "vars") => [
  ...new Set(
    [...JSON.stringify(job).matchAll(new RegExp(`\\b${kind}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))].map(
      (m) => m[1],
    ),
  ),
];
/** A newline list input, as pulumi/actions reads its list inputs (one entry per line). */
const lines = (value: unknown) =>
  String(value ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The set-up script .ci/run and the workflows' test jobs run; it installs from the lockfile. */
const SETUP = "bash scripts/setup.sh";

/** The commands .ci/run runs (comments, `set` and `cd` aside). */
function ciCommands(): string[] {
  return fs
    .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !/^(set|cd)\b/.test(l));
}

describe("scripts/setup.sh", () => {
  it("installs the npm dependencies from the lockfile", () => {
    const lines = fs.readFileSync(path.join(ROOT, "scripts", "setup.sh"), "utf8").split("\n");
    expect(lines.map((l) => l.trim())).to.include("npm ci --no-audit --no-fund");
    expect(lines.some((l) => /^\s*npm (install|i)\b/.test(l))).to.equal(false);
  });
});

describe("CI workflows", () => {
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

  it("has the preview, deploy and drift workflows", () => {
    expect(files).to.include.members(["preview.yml", "deploy.yml", "drift.yml"]);
  });

  it("finds no action.yml for an action or a ref that is not pinned", () => {
    expect(() => actionYml("pulumi/actions@v6")).to.not.throw();
    expect(() => actionYml("aws-actions/configure-aws-credentials@v4")).to.throw(/missing/);
    expect(() => actionYml("pulumi/actions@v5")).to.throw(/missing/);
    expect(() => actionYml("pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58")).to.throw(/v<major>/);
  });

  for (const file of files) {
    describe(file, () => {
      const wf = load(file);
      it("has a name, triggers and jobs that each run steps on a runner", () => {
        expect(wf.name, "name").to.be.a("string");
        expect(wf.on, "on").to.be.an("object");
        expect(Object.keys(wf.jobs ?? {})).to.have.length.greaterThan(0);
        for (const [name, job] of Object.entries(wf.jobs ?? {})) {
          expect(job["runs-on"], `${name} runs-on`).to.be.a("string");
          expect(job.steps ?? [], `${name} steps`).to.have.length.greaterThan(0);
        }
      });

      it("uses only actions at a major tag whose action.yml is pinned", () => {
        for (const [job, , step] of steps(wf)) {
          if (step.uses) expect(() => actionYml(step.uses ?? ""), `${job}: ${step.uses}`).to.not.throw();
        }
      });

      it("passes only inputs the action's action.yml declares, and every input it requires", () => {
        for (const [job, , step] of steps(wf)) {
          if (!step.uses) continue;
          const inputs = actionYml(step.uses).inputs ?? {};
          const given = Object.keys(step.with ?? {});
          expect(Object.keys(inputs), `${job}: ${step.uses} inputs`).to.include.members(given);
          const required = Object.entries(inputs)
            .filter(([, i]) => String(i.required) === "true" && i.default === undefined)
            .map(([n]) => n);
          expect(given, `${job}: ${step.uses} required inputs`).to.include.members(required);
        }
      });

      it("installs from the lockfile before running anything from npm", () => {
        expect(fs.existsSync(path.join(ROOT, "package-lock.json"))).to.equal(true);
        for (const [name, job] of Object.entries(wf.jobs ?? {})) {
          const runs = (job.steps ?? []).map((s) => s.run ?? "");
          const ci = runs.findIndex((r) => /^npm ci\b/.test(r) || r === SETUP);
          const usesNpm =
            runs.some((r) => /^npm (test|run)\b/.test(r)) ||
            pulumiSteps({ jobs: { [name]: job } }).length > 0;
          if (usesNpm) expect(ci, `${name}: npm ci`).to.be.greaterThan(-1);
          runs.forEach((r, i) => {
            expect(/^npm (install|i)\b/.test(r), `${name}: npm install`).to.equal(false);
            if (/^npm test\b/.test(r)) expect(i, `${name}: npm test after npm ci`).to.be.greaterThan(ci);
          });
        }
      });

      it("runs Pulumi per existing stack with the policy pack and that stack's pack config", () => {
        const inputs = actionYml("pulumi/actions@v6").inputs ?? {};
        // action.yml: policyPacks runs "one or more policy packs" (a list: the action reads one per
        // line) and policyPackConfigs is "the config for the policy pack of the corresponding
        // --policy-pack flag", so the two lists pair up line by line.
        expect(inputs.policyPacks?.description).to.match(/one or more policy packs/);
        expect(inputs.policyPackConfigs?.description).to.match(/corresponding "--policy-pack"/);
        // Paths are relative to work-dir (the CLI's working directory); take its default from action.yml.
        const workDir = path.join(ROOT, String(inputs["work-dir"]?.default));
        const found = pulumiSteps(wf);
        expect(found, "pulumi/actions steps").to.have.length.greaterThan(0);
        for (const [name, job, step] of found) {
          expect(step.with?.["work-dir"], `${name}: work-dir`).to.equal(undefined);
          const stacks = job.strategy?.matrix?.stack ?? [];
          expect(stacks, `${name} matrix.stack`).to.have.length.greaterThan(0);
          const packs = lines(step.with?.policyPacks);
          expect(packs, `${name}: policyPacks`).to.have.length.greaterThan(0);
          for (const pack of packs) {
            expect(
              fs.existsSync(path.join(workDir, pack, "PulumiPolicy.yaml")),
              `${pack}/PulumiPolicy.yaml`,
            ).to.equal(true);
          }
          for (const stack of stacks) {
            expect(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`).to.equal(
              true,
            );
            const configs = lines(step.with?.policyPackConfigs).map((c) =>
              c.replace("${{ matrix.stack }}", stack),
            );
            expect(configs, `${name}: one pack config per pack`).to.have.length(packs.length);
            expect(configs, `${name}: the stack's own pack config`).to.deep.equal([
              `policy/config/${stack}.json`,
            ]);
            for (const config of configs) {
              expect(fs.existsSync(path.join(workDir, config)), config).to.equal(true);
              expect(
                () => JSON.parse(fs.readFileSync(path.join(workDir, config), "utf8")) as unknown,
              ).to.not.throw();
            }
          }
          expect(String(step.with?.["stack-name"])).to.include("${{ matrix.stack }}");
        }
      });

      it("installs the Pulumi CLI release of the pinned @pulumi/pulumi SDK", () => {
        const sdk = (
          JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as {
            version: string;
          }
        ).version;
        const minor = sdk.split(".").slice(0, 2).join(".");
        for (const [name, , step] of pulumiSteps(wf)) {
          expect(String(step.with?.["pulumi-version"]), `${name}: pulumi-version`).to.match(
            new RegExp(`^${minor.replace(".", "\\.")}\\.\\d+$`),
          );
        }
      });

      it("grants only contents: read at the workflow level, and id-token only to jobs that trade it in an environment", () => {
        expect(wf.permissions).to.deep.equal({ contents: "read" });
        for (const [name, job] of Object.entries(wf.jobs ?? {})) {
          const tradesToken = (job.steps ?? []).some((s) => s.run?.includes(OIDC_SCRIPT));
          expect(permissionsOf(job.permissions)["id-token"], `${name}: id-token`).to.equal(
            tradesToken ? "write" : undefined,
          );
          // The role's trust policy is scoped to the environment (the token's `sub`), so no token without one.
          if (tradesToken) expect(environmentOf(job), `${name}: environment`).to.be.a("string");
        }
      });

      it("stores no AWS keys: AWS credentials come only from the environment's role through OIDC", () => {
        const text = fs.readFileSync(path.join(DIR, file), "utf8");
        expect(text).to.not.match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
        for (const [name, job] of Object.entries(wf.jobs ?? {})) {
          expect(
            referenced(job, "secrets").filter((s) => s.startsWith("AWS")),
            name,
          ).to.deep.equal([]);
        }
      });

      // Workflows that run a change (pull requests, merges) test it first; the scheduled drift
      // check runs main, which was tested when it merged.
      const runsChanges = ["pull_request", "push"].some((t) => t in (wf.on ?? {}));

      if (runsChanges) {
        it("runs the tests exactly as .ci/run does (the README's set-up and test commands)", () => {
          const runs = (wf.jobs?.test?.steps ?? []).flatMap((st) => (st.run ? [st.run.trim()] : []));
          expect(runs).to.deep.equal(ciCommands());
        });

        it("runs the tests with no secret, variable, environment or token permission", () => {
          const job = wf.jobs?.test;
          expect(job?.steps?.map((s) => s.run)).to.include("npm test");
          expect(job?.environment).to.equal(undefined);
          expect(job?.permissions).to.equal(undefined);
          expect(referenced(job ?? {}, "secrets")).to.deep.equal([]);
          expect(referenced(job ?? {}, "vars")).to.deep.equal([]);
        });
      }
    });
  }

  describe("preview.yml", () => {
    const wf = load("preview.yml");
    const [[name, job, step]] = pulumiSteps(wf);

    it("previews every stack on pull requests, never with the base repository's secrets for forks", () => {
      expect(Object.keys(wf.on ?? {})).to.deep.equal(["pull_request"]);
      expect(step.with?.command).to.equal("preview");
      expect(job.strategy?.matrix?.stack).to.have.members(["dev", "prod"]);
      expect(job.if).to.equal("github.event.pull_request.head.repo.full_name == github.repository");
    });

    it("runs in the stack's read-only preview environment with only that environment's credentials", () => {
      expect(environmentOf(job), name).to.equal("preview-${{ matrix.stack }}");
      expect(referenced(job, "secrets")).to.have.members([
        "PREVIEW_KUBECONFIG",
        "PREVIEW_PULUMI_ACCESS_TOKEN",
      ]);
      expect(referenced(job, "vars")).to.have.members(["PULUMI_ORG", "PREVIEW_AWS_ROLE_ARN"]);
    });
  });

  describe("deploy.yml", () => {
    const wf = load("deploy.yml");
    const found = pulumiSteps(wf);
    const [[name, job]] = found;
    const commands = found.map(([, , st]) => st.with?.command);

    it("deploys on pushes to main, after the tests, one stack at a time", () => {
      expect(Object.keys(wf.on ?? {})).to.deep.equal(["push"]);
      expect((wf.on?.push as { branches?: string[] }).branches).to.deep.equal(["main"]);
      expect(commands).to.include("up");
      expect(job.needs).to.equal("test");
      expect(job.strategy?.matrix?.stack).to.have.members(["dev", "prod"]);
    });

    it("previews before its up, as that up skips the preview: a failed check stops the job before anything changes", () => {
      // pulumi/actions v6 src/run.ts runs `up` as the automation API's stack.up, which passes
      // --skip-preview (@pulumi/pulumi 3.248.0 automation/stack.js, as pinned here), so the
      // preflight's checks would run beside the creates; `preview` is the action's stack.preview.
      const automation = fs.readFileSync(require.resolve("@pulumi/pulumi/automation/stack.js"), "utf8");
      expect(automation).to.include('const args = ["up", "--yes", "--skip-preview"];');
      expect(commands).to.deep.equal(["preview", "up"]);
      const [[, previewJob, preview], [, upJob, up]] = found;
      expect(previewJob, "the same job").to.equal(upJob);
      const steps = upJob.steps ?? [];
      expect(steps.indexOf(preview)).to.equal(steps.indexOf(up) - 1);
      // The same stack, CLI, policy packs and credentials: what the up then changes.
      expect({ ...preview.with, command: "up" }).to.deep.equal(up.with);
      expect(preview.env).to.deep.equal(up.env);
      expect(preview.if).to.equal(undefined);
    });

    it("runs in the stack's protected environment with only the deploy credentials", () => {
      const preview = pulumiSteps(load("preview.yml"))[0][1];
      expect(environmentOf(job), name).to.equal("${{ matrix.stack }}");
      expect(referenced(job, "secrets")).to.have.members(["DEPLOY_KUBECONFIG", "DEPLOY_PULUMI_ACCESS_TOKEN"]);
      expect(referenced(job, "vars")).to.have.members(["PULUMI_ORG", "DEPLOY_AWS_ROLE_ARN"]);
      // No name in common: a deploy credential can never be what a preview reads.
      const previewSecrets = referenced(preview, "secrets");
      expect(referenced(job, "secrets").filter((s) => previewSecrets.includes(s))).to.deep.equal([]);
    });
  });

  describe("drift.yml", () => {
    const wf = load("drift.yml");
    const [[name, job, step]] = pulumiSteps(wf);
    const inputs = actionYml("pulumi/actions@v6").inputs ?? {};

    it("runs every day and on demand, never for a change", () => {
      expect(Object.keys(wf.on ?? {})).to.have.members(["schedule", "workflow_dispatch"]);
      const [schedule] = wf.on?.schedule as { cron: string }[];
      // GitHub's schedule: five fields, in UTC.
      expect(schedule.cron.split(/\s+/)).to.have.length(5);
      expect(job.strategy?.matrix?.stack).to.have.members(["dev", "prod"]);
      expect(
        (job.strategy as { "fail-fast"?: boolean })["fail-fast"],
        "one stack's drift does not hide another's",
      ).to.equal(false);
    });

    it("previews with a refresh and fails on any change: the inputs action.yml declares for that", () => {
      // pulumi/actions v6.6.1 action.yml: `refresh` "Execute the operation with the `--refresh`
      // option"; `expect-no-changes` "Return an error if any changes occur during this update".
      expect(inputs.refresh?.description).to.match(/--refresh/);
      expect(inputs["expect-no-changes"]?.description).to.match(/error if any changes/i);
      expect(inputs["comment-on-summary"]?.description).to.match(/step summary/);
      expect(step.with?.command).to.equal("preview");
      expect(step.with?.refresh).to.equal(true);
      expect(step.with?.["expect-no-changes"]).to.equal(true);
      expect(step.with?.["comment-on-summary"]).to.equal(true);
    });

    it("runs in the stack's read-only preview environment with only its credentials, no issue rights", () => {
      expect(environmentOf(job), name).to.equal("preview-${{ matrix.stack }}");
      const preview = pulumiSteps(load("preview.yml"))[0][1];
      expect(referenced(job, "secrets")).to.have.members(referenced(preview, "secrets"));
      expect(referenced(job, "vars")).to.have.members(referenced(preview, "vars"));
      expect(permissionsOf(job.permissions)).to.not.have.property("issues");
    });

    it("reports failed stacks from a job that runs none of the project's code and holds no secret", () => {
      const report = wf.jobs?.report as Job & { if?: string };
      expect(report.needs).to.equal(name);
      expect(report.if).to.equal("failure()");
      expect(permissionsOf(report.permissions)).to.deep.equal({
        contents: "read",
        issues: "write",
        actions: "read",
      });
      expect(environmentOf(report)).to.equal(undefined);
      expect(referenced(report, "secrets")).to.deep.equal([]);
      expect((report.steps ?? []).map((s) => s.run ?? s.uses)).to.deep.equal([
        "actions/checkout@v4",
        "bash scripts/drift-report.sh",
      ]);
    });
  });

  it("documents every environment, secret and variable the workflows read (docs/ci.md)", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "ci.md"), "utf8");
    for (const file of files) {
      for (const job of Object.values(load(file).jobs ?? {})) {
        for (const n of [...referenced(job, "secrets"), ...referenced(job, "vars")])
          expect(doc, n).to.include(`\`${n}\``);
        const env = environmentOf(job);
        if (env) {
          for (const stack of job.strategy?.matrix?.stack ?? []) {
            expect(doc, env).to.include(`\`${env.replace("${{ matrix.stack }}", stack)}\``);
          }
        }
      }
    }
  });
});
