// Harbor's connection pools fit in PostgreSQL's max_connections, counted the way the pinned
// charts and Harbor really open connections:
// - harbor-helm 1.19.2: `database.maxOpenConns`/`maxIdleConns` go to core (core-cm.yaml
//   POSTGRESQL_MAX_OPEN_CONNS) and the exporter (exporter-cm-env.yaml); values.yaml: "<= 0 ...
//   no limit". Harbor v2.15.2: jobservice loads core's settings over REST and opens its own pool
//   with them (src/jobservice/job/impl/context.go GetDatabaseCfg -> dao.InitDatabase); the
//   upgrade hook (`enableMigrateHelmHook`) runs standalone-db-migrator with 5.
// - core-dpl.yaml and exporter-dpl.yaml set no strategy and jobservice-dpl.yaml only its type: a
//   rolling update surges Kubernetes' default 25%, rounded up, extra pods.
// - PostgreSQL: max_connections defaults to 100 and superuser_reserved_connections (3) come out
//   of it; CloudNativePG passes spec.postgresql.parameters through.
import { expect } from "chai";
import { charts } from "../../versions";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
/** What CloudNativePG's instance manager, its metrics queries and a base backup hold at once. */
const OPERATOR_ALLOWANCE = 10;

function budget(run: StackRun): { harbor: number; maxConnections: number; open: number; idle: number } {
  const release = run.byType(RELEASE).find((r) => r.inputs.chart === charts.harbor.chart);
  if (!release) throw new Error("no Harbor release");
  const v = coalesce(
    chartData(charts.harbor.upstream).values,
    release.inputs.values as Record<string, unknown>,
  );
  const open = Number(at(v, "database.maxOpenConns"));
  const idle = Number(at(v, "database.maxIdleConns"));
  const surge = (n: number) => n + Math.ceil(n * 0.25);
  const pods = ["core", "jobservice", "exporter"].reduce(
    (sum, c) => sum + surge(Number(at(v, `${c}.replicas`))),
    0,
  );
  const migrator = at(v, "enableMigrateHelmHook") === true ? 5 : 0;
  const params = (at(run.one(CLUSTER).inputs, "spec.postgresql.parameters") ?? {}) as Record<string, string>;
  const reserved = Number(params.superuser_reserved_connections ?? 3);
  return {
    harbor: pods * open + migrator + reserved + OPERATOR_ALLOWANCE,
    maxConnections: Number(params.max_connections ?? 100),
    open,
    idle,
  };
}

describe("database connections (prod)", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["default replicas", {}],
    ["10 replicas", { replicas: 10 }],
  ];
  for (const [what, overrides] of cases) {
    it(`${what}: every Harbor pool at its maximum, during a rollout, fits in max_connections`, async () => {
      const b = budget(await evaluateStack("prod", overrides));
      expect(b.open, "maxOpenConns <= 0 means no limit").to.be.greaterThan(0);
      expect(b.idle).to.be.within(1, b.open);
      expect(
        b.harbor,
        `Harbor and the operator need ${b.harbor}, max_connections ${b.maxConnections}`,
      ).to.be.at.most(b.maxConnections);
    });
  }
});
