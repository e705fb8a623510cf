import { expect } from "chai";
import { helmValuesNoPlainSecrets } from "../../policy/policies/helm-values-no-plain-secrets";
import { check, release } from "./helpers";

describe("policy helm-values-no-plain-secrets", () => {
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
