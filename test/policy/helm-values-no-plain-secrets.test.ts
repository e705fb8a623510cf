import { expect } from "chai";
import {
  INLINE_SECRET_PATHS,
  helmValuesNoPlainSecrets,
} from "../../policy/policies/helm-values-no-plain-secrets";
import { get, isObj } from "../../policy/lib/resources";
import { chartData } from "../conformance/upstream";
import { check, release } from "./helpers";

/** The pinned upstream copy of each chart that INLINE_SECRET_PATHS names. */
const CHART_FOLDERS: Record<string, string> = { harbor: "harbor-helm" };

describe("policy helm-values-no-plain-secrets", () => {
  it("INLINE_SECRET_PATHS are string values the pinned chart offers no existingSecret beside", () => {
    for (const [chart, paths] of Object.entries(INLINE_SECRET_PATHS)) {
      // Upstream truth: the chart's own values.yaml (harbor-helm 1.19.2, found by test/upstream.ts).
      const values = chartData(CHART_FOLDERS[chart]).values;
      for (const path of paths) {
        expect(get(values, path), `${chart} ${path}`).to.be.a("string");
        const parent = get(values, path.split(".").slice(0, -1).join("."));
        expect(isObj(parent) && Object.keys(parent).filter((k) => /existingSecret/i.test(k))).to.deep.equal(
          [],
        );
      }
    }
  });
  it("passes existingSecret references and Harbor's database.internal.password (no existingSecret offered)", async () => {
    const values = {
      existingSecretAdminPassword: "creds",
      core: { existingSecret: "creds" },
      database: { type: "internal", internal: { password: "generated" } },
    };
    expect(await check(helmValuesNoPlainSecrets, [release("harbor", values)])).to.deep.equal([]);
  });
  const cases: [string, Record<string, unknown>, string][] = [
    ["harbor", { harborAdminPassword: "Harbor12345" }, "harborAdminPassword"],
    ["harbor", { secretKey: "not-a-secure-key" }, "secretKey"],
    ["harbor", { core: { secret: "s", xsrfKey: "x" } }, "core.secret"],
    ["harbor", { jobservice: { secret: "s" } }, "jobservice.secret"],
    ["harbor", { registry: { secret: "s" } }, "registry.secret"],
    ["harbor", { registry: { credentials: { password: "p" } } }, "registry.credentials.password"],
    ["harbor", { database: { external: { password: "p" } } }, "database.external.password"],
    ["harbor", { redis: { external: { password: "p" } } }, "redis.external.password"],
    [
      "harbor",
      { persistence: { imageChartStorage: { s3: { accesskey: "a", secretkey: "s" } } } },
      "persistence.imageChartStorage.s3.accesskey",
    ],
    ["minio", { rootPassword: "p" }, "rootPassword"],
    ["minio", { users: [{ accessKey: "harbor", secretKey: "s" }] }, "users[0].secretKey"],
    ["redis-ha", { auth: true, redisPassword: "p" }, "redisPassword"],
    [
      "velero",
      { credentials: { secretContents: { cloud: "[default]\naws_secret_access_key=x" } } },
      "credentials.secretContents",
    ],
  ];
  for (const [chart, values, path] of cases) {
    it(`fails ${chart} ${path} set to a literal`, async () => {
      const found = await check(helmValuesNoPlainSecrets, [release(chart, values)]);
      expect(found.length).to.be.greaterThan(0);
      expect(found[0]).to.include(path);
    });
  }
  it("passes redis-ha with auth through an existing Secret", async () => {
    expect(
      await check(helmValuesNoPlainSecrets, [release("redis-ha", { auth: true, existingSecret: "redis" })]),
    ).to.deep.equal([]);
  });
});
