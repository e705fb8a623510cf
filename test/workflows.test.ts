// Validates the CI workflows users run (.github/workflows): structure, pinned actions, and
// that every stack, policy pack and pack config they name exists in this repository.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "./harness";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on"?: string;
  needs?: string | string[];
  environment?: string;
  strategy?: { matrix?: { stack?: string[] } };
  steps?: Step[];
}
interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}

const DIR = path.join(ROOT, ".github", "workflows");
const load = (file: string) => parseYaml(fs.readFileSync(path.join(DIR, file), "utf8")) as Workflow;
const PINNED = /@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/;

function pulumiJobs(wf: Workflow): [string, Job, Step][] {
  return Object.entries(wf.jobs ?? {}).flatMap(([name, job]) =>
    (job.steps ?? [])
      .filter((s) => s.uses?.startsWith("pulumi/actions@"))
      .map((s): [string, Job, Step] => [name, job, s]),
  );
}

describe("CI workflows", () => {
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

  it("has the preview and deploy workflows", () => {
    expect(files).to.include.members(["preview.yml", "deploy.yml"]);
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
      it("pins every action to a version tag or a commit SHA", () => {
        for (const job of Object.values(wf.jobs ?? {})) {
          for (const step of job.steps ?? []) if (step.uses) expect(step.uses).to.match(PINNED);
        }
      });
      it("installs from the lockfile before running anything from npm", () => {
        expect(fs.existsSync(path.join(ROOT, "package-lock.json"))).to.equal(true);
        for (const [name, job] of Object.entries(wf.jobs ?? {})) {
          const runs = (job.steps ?? []).map((s) => s.run ?? "");
          const ci = runs.findIndex((r) => /^npm ci\b/.test(r));
          const usesNpm =
            runs.some((r) => /^npm (test|run)\b/.test(r)) || pulumiJobs({ jobs: { [name]: job } }).length > 0;
          if (usesNpm) expect(ci, `${name}: npm ci`).to.be.greaterThan(-1);
          runs.forEach((r, i) => {
            expect(/^npm (install|i)\b/.test(r), `${name}: npm install`).to.equal(false);
            if (/^npm test\b/.test(r)) expect(i, `${name}: npm test after npm ci`).to.be.greaterThan(ci);
          });
        }
      });
      it("runs Pulumi per existing stack with the policy pack and that stack's pack config", () => {
        for (const [name, job, step] of pulumiJobs(wf)) {
          const stacks = job.strategy?.matrix?.stack ?? [];
          expect(stacks, `${name} matrix.stack`).to.have.length.greaterThan(0);
          for (const stack of stacks) {
            expect(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`).to.equal(
              true,
            );
            const config = String(step.with?.["policy-pack-configs"]).replace("${{ matrix.stack }}", stack);
            expect(fs.existsSync(path.join(ROOT, config)), config).to.equal(true);
          }
          const pack = String(step.with?.["policy-packs"]);
          expect(
            fs.existsSync(path.join(ROOT, pack, "PulumiPolicy.yaml")),
            `${pack}/PulumiPolicy.yaml`,
          ).to.equal(true);
          expect(String(step.with?.["stack-name"])).to.include("${{ matrix.stack }}");
        }
      });
    });
  }

  it("previews every stack on pull requests", () => {
    const wf = load("preview.yml");
    expect(wf.on).to.have.property("pull_request");
    const [[, job, step]] = pulumiJobs(wf);
    expect(step.with?.command).to.equal("preview");
    expect(job.strategy?.matrix?.stack).to.have.members(["dev", "prod"]);
  });

  it("deploys on pushes to main, behind an environment per stack", () => {
    const wf = load("deploy.yml");
    expect((wf.on?.push as { branches?: string[] }).branches).to.deep.equal(["main"]);
    const [[, job, step]] = pulumiJobs(wf);
    expect(step.with?.command).to.equal("up");
    expect(job.environment).to.equal("${{ matrix.stack }}");
    expect(job.needs).to.equal("test");
  });
});
