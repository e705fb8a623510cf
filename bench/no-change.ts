// The dynamic provider's no-change run: N projects with a robot each are created against the
// spec-checked fake Harbor, then diffed as a second `pulumi up` would, and refreshed as
// `pulumi up --refresh` would. Prints Harbor calls as one JSON line.   no-change.ts <projects>
import { performance } from "perf_hooks";
import { FakeHarbor } from "../test/fakes/harbor";
import { HarborProvider, type Kind } from "../components/harbor-config/provider";

async function main(n: number): Promise<void> {
  const fake = await new FakeHarbor().start();
  const provider = (kind: Kind) => new HarborProvider(kind);
  const connection = fake.connection;
  const made: { kind: Kind; id: string; props: Record<string, unknown> }[] = [];
  for (let i = 0; i < n; i++) {
    const name = `team-${String(i).padStart(4, "0")}`;
    const project = {
      connection,
      name,
      public: false,
      quotaBytes: 50 * 2 ** 30,
      scanOnPush: true,
      preventVulnerable: "high",
      cosign: false,
      cveAllowlist: [],
      registryId: 0,
    };
    const p = await provider("project").create(project);
    made.push({ kind: "project", id: p.id, props: { ...project, ...p.outs } });
    const robot = {
      connection,
      name: "ci",
      level: "project",
      project: name,
      description: "",
      durationDays: -1,
      permissions: [
        { kind: "project", namespace: name, access: [{ resource: "repository", action: "push" }] },
      ],
      rotation: "",
    };
    const r = await provider("robot").create(robot);
    made.push({ kind: "robot", id: r.id, props: { ...robot, ...r.outs } });
  }
  // `pulumi up` with nothing changed: the engine asks each provider to diff, nothing else.
  const upMark = fake.calls.length;
  for (const m of made) await provider(m.kind).diff(m.id, m.props, m.props);
  const upCalls = fake.calls.length - upMark;
  // `pulumi up --refresh` (or `pulumi refresh`): a read per resource, then the diff.
  const mark = fake.calls.length;
  const started = performance.now();
  let changes = 0;
  for (const m of made) {
    const p = provider(m.kind);
    const live = await p.read(m.id, m.props);
    const diff = await p.diff(m.id, live.props ?? {}, m.props);
    if (diff.changes) changes++;
  }
  const ms = performance.now() - started;
  const calls = fake.calls.slice(mark);
  const byKind: Record<string, number> = {};
  for (const c of calls) {
    const kind = c.path.startsWith("/robots") ? "robot" : "project";
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const perResource = { project: (byKind.project ?? 0) / n, robot: (byKind.robot ?? 0) / n };
  process.stdout.write(
    `${JSON.stringify({ projects: n, resources: made.length, upCalls, refreshMs: Math.round(ms), changes, mutations: fake.mutations(mark).length, refreshReadsPerResource: perResource, violations: fake.violations.length })}\n`,
  );
  await fake.stop();
}

main(Number(process.argv[2] ?? 100)).catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
