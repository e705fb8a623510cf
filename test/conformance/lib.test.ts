// The conformance checker itself: each check must be able to fail, and pass what is valid.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { conformanceProblems } from "./check";
import { customResourceProblems, strictSchema } from "./crds";
import { DOCUMENTED_PATHS } from "./documented-paths";
import { chartValueProblems, helmReleaseProblems, unknownValuePaths } from "./helm-values";
import { Registered } from "./types";
import { chartData, crdIndex } from "./upstream";
import { ENV_VAR, upstreamDir, upstreamFile } from "../upstream";

const harbor = (values: Record<string, unknown>, version = "1.19.2"): Record<string, unknown> => ({
  name: "harbor",
  chart: "harbor",
  version,
  namespace: "harbor",
  repositoryOpts: { repo: "https://helm.goharbor.io" },
  values,
});

const meta = { name: "harbor-db", namespace: "harbor" };

describe("conformance: upstream data", () => {
  it("finds the pinned data and reads chart versions, including cert-manager's from SOURCE.md", () => {
    expect(chartData("harbor-helm").chartVersion).to.equal("1.19.2");
    expect(chartData("cert-manager-chart").chartVersion).to.equal("v1.21.1");
    expect(chartData("harbor-helm").schema).to.equal(undefined);
    expect(crdIndex().has("postgresql.cnpg.io/v1/Cluster")).to.equal(true);
    expect(crdIndex().has("velero.io/v1/Schedule")).to.equal(true);
  });

  it("fails clearly, naming every place and the fetch script, when the data is missing", () => {
    const saved = process.env[ENV_VAR];
    process.env[ENV_VAR] = "/nonexistent/upstream";
    try {
      expect(() => upstreamDir()).to.throw(
        /HARBOR_PLATFORM_UPSTREAM[\s\S]*shared[\s\S]*\.upstream-cache[\s\S]*fetch-upstream\.mjs/,
      );
      expect(() => chartData("harbor-helm")).to.throw(/not found/);
    } finally {
      if (saved === undefined) delete process.env[ENV_VAR];
      else process.env[ENV_VAR] = saved;
    }
  });
});

describe("conformance: Helm values", () => {
  it("reports a typo in a harbor value path", () => {
    const problems = helmReleaseProblems(harbor({ expose: { tls: { certSourc: "secret" } } }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/expose\.tls\.certSourc: not in the chart's values\.yaml/);
  });

  it("passes real paths, free-form maps and comment-documented paths", () => {
    const values = {
      expose: { tls: { certSource: "secret", secret: { secretName: "harbor-tls" } } },
      persistence: { persistentVolumeClaim: { registry: { storageClass: "gp3" } } },
      core: { podAnnotations: { foo: "bar" }, resources: { requests: { cpu: "100m" } }, tokenKey: "pem" },
    };
    expect(helmReleaseProblems(harbor(values))).to.deep.equal([]);
  });

  it("reports a mapping set over a scalar default and a wrong chart version", () => {
    expect(
      unknownValuePaths({ trivy: { enabled: { on: true } } }, chartData("harbor-helm").values),
    ).to.deep.equal(["trivy.enabled: the chart has a boolean here, a mapping is set"]);
    const problems = helmReleaseProblems(harbor({}, "1.19.1"));
    expect(problems.join("\n")).to.match(/version "1\.19\.1" != pinned "1\.19\.2"/);
  });

  it("reports a chart without a pinned copy and a foreign repository", () => {
    expect(helmReleaseProblems({ chart: "nginx", version: "1" })[0]).to.match(/no pinned upstream copy/);
    const moved = { ...harbor({}), repositoryOpts: { repo: "https://example.com/charts" } };
    expect(helmReleaseProblems(moved).join("\n")).to.match(/not where the pinned chart comes from/);
  });

  it("validates cert-manager values against its values.schema.json", () => {
    const release = {
      name: "cert-manager",
      chart: "cert-manager",
      version: "v1.21.1",
      repositoryOpts: { repo: "https://charts.jetstack.io" },
    };
    expect(helmReleaseProblems({ ...release, values: { crds: { enabled: true } } })).to.deep.equal([]);
    const bad = helmReleaseProblems({ ...release, values: { crds: { enabled: "yes" } } });
    expect(bad.join("\n")).to.match(/values\.schema\.json: crds\.enabled: must be boolean/);
  });

  it("walks list items the schema describes (velero backupStorageLocation)", () => {
    const bsl = { name: "default", provider: "aws", bucket: "b", config: { region: "eu-west-1" } };
    const ok = { configuration: { backupStorageLocation: [bsl] }, initContainers: [{ name: "aws" }] };
    expect(chartValueProblems("velero-chart", ok)).to.deep.equal([]);
    const typo = { configuration: { backupStorageLocation: [{ ...bsl, buckett: "b" }] } };
    expect(chartValueProblems("velero-chart", typo).join("\n")).to.match(
      /backupStorageLocation\[0\]\.buckett/,
    );
  });

  it("keeps every comment-documented path pinned to a `# key:` comment line in values.yaml", () => {
    for (const [folder, entries] of Object.entries(DOCUMENTED_PATHS)) {
      const lines = readFileSync(upstreamFile(folder, "values.yaml"), "utf8").split("\n");
      for (const { path, line, why } of entries) {
        const lastKey = path.split(".").pop() ?? "";
        expect(lines[line - 1], `${folder}:${line} for ${path}`).to.match(
          new RegExp(`^\\s*#\\s*${lastKey}:`),
        );
        expect(why).to.not.equal("");
        const parent = path.split(".").slice(0, -1);
        if (parent.length > 0) {
          let node: unknown = chartData(folder).values;
          for (const k of parent) node = (node as Record<string, unknown>)[k];
          expect(node, `${folder}: parent of ${path}`).to.be.an("object");
        }
      }
    }
  });
});

describe("conformance: custom resources", () => {
  const cluster = (spec: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: meta,
    spec,
  });

  it("passes a minimal CNPG Cluster and refuses an unknown spec field", () => {
    expect(customResourceProblems(cluster({ instances: 3, storage: { size: "10Gi" } }))).to.deep.equal([]);
    const problems = customResourceProblems(cluster({ instancez: 3, storage: { size: "10Gi" } }));
    expect(problems).to.include('Cluster/harbor-db: spec: unknown field "instancez"');
  });

  it("checks a barman-cloud ObjectStore", () => {
    const store = (configuration: Record<string, unknown>): Record<string, unknown> => ({
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: meta,
      spec: { configuration, retentionPolicy: "30d" },
    });
    const s3 = { accessKeyId: { name: "s3", key: "id" }, secretAccessKey: { name: "s3", key: "secret" } };
    expect(customResourceProblems(store({ destinationPath: "s3://b/p", s3Credentials: s3 }))).to.deep.equal(
      [],
    );
    const bad = customResourceProblems(store({ destinationPath: "s3://b/p", s3Credential: s3 }));
    expect(bad.join("\n")).to.match(/spec\.configuration: unknown field "s3Credential"/);
  });

  it("checks a Velero Schedule, including types", () => {
    const schedule = (spec: Record<string, unknown>): Record<string, unknown> => ({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      metadata: { name: "daily", namespace: "velero" },
      spec,
    });
    const template = { includedNamespaces: ["harbor"], ttl: "720h0m0s" };
    expect(customResourceProblems(schedule({ schedule: "0 3 * * *", template }))).to.deep.equal([]);
    const bad = customResourceProblems(
      schedule({ schedule: "0 3 * * *", template: { ...template, ttl: 5, bogus: 1 } }),
    );
    expect(bad.join("\n")).to.match(/spec\.template\.ttl: must be string/);
    expect(bad.join("\n")).to.match(/spec\.template: unknown field "bogus"/);
  });

  it("checks a ServiceMonitor through @kubernetes-models", () => {
    const sm = (endpoints: unknown[]): Record<string, unknown> => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "harbor", namespace: "harbor" },
      spec: { selector: { matchLabels: { app: "harbor" } }, endpoints },
    });
    expect(customResourceProblems(sm([{ port: "metrics" }]))).to.deep.equal([]);
    expect(customResourceProblems(sm([{ port: 8001 }])).join("\n")).to.match(
      /spec\.endpoints\[0\]\.port: must be string/,
    );
  });

  it("checks metadata and refuses kinds with no schema", () => {
    const badName = cluster({ instances: 1, storage: { size: "1Gi" } });
    badName.metadata = { name: "Harbor_DB", labels: { a: 1 } };
    const problems = customResourceProblems(badName).join("\n");
    expect(problems).to.match(/metadata\.name: "Harbor_DB" is not a DNS-1123 subdomain/);
    expect(problems).to.match(/metadata\.labels\["a"\]: must be a string/);
    const unknown = { apiVersion: "example.com/v1", kind: "Widget", metadata: meta, spec: {} };
    expect(customResourceProblems(unknown).join("\n")).to.match(/no schema for example\.com\/v1 Widget/);
  });

  it("strictSchema closes objects but keeps preserve-unknown-fields, int-or-string and nullable", () => {
    const strict = strictSchema({
      type: "object",
      properties: {
        port: { "x-kubernetes-int-or-string": true },
        extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { a: {} } },
        note: { type: "string", nullable: true },
      },
      "x-kubernetes-validations": [{ rule: "self.port > 0" }],
    });
    expect(strict.additionalProperties).to.equal(false);
    expect(strict["x-kubernetes-validations"]).to.equal(undefined);
    const props = strict.properties as Record<string, Record<string, unknown>>;
    expect(props.port.anyOf).to.deep.equal([{ type: "integer" }, { type: "string" }]);
    expect(props.extra.additionalProperties).to.equal(undefined);
    expect(props.note.type).to.deep.equal(["string", "null"]);
  });
});

describe("conformance: dispatch over registered resources", () => {
  const reg = (type: string, inputs: Record<string, unknown>): Registered => ({
    type,
    name: "r",
    urn: `urn:pulumi:test::harbor-platform::${type}::r`,
    custom: true,
    inputs,
    secretPaths: [],
    dependencies: [],
    inputDependencies: [],
    protect: false,
  });

  it("routes releases and custom resources, skips built-in kinds, names unknown ones", () => {
    // HTTPRoute passes its built-in check; the Secret and the random resource are not checked.
    const problems = conformanceProblems([
      reg("kubernetes:core/v1:Secret", { metadata: { name: "Not_Checked" }, bogus: 1 }),
      reg("random:index/randomPassword:RandomPassword", { length: 32 }),
      reg("kubernetes:helm.sh/v3:Release", harbor({ expose: { tls: { certSourc: "secret" } } })),
      reg("kubernetes:postgresql.cnpg.io/v1:Cluster", { metadata: meta, spec: { instancez: 3 } }),
      reg("kubernetes:example.com/v1:Widget", { metadata: meta, spec: {} }),
      reg("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", {
        metadata: meta,
        spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "harbor", port: 80 }] }] },
      }),
    ]);
    expect(problems).to.deep.equal([
      `kubernetes:helm.sh/v3:Release "r": Release harbor (harbor): expose.tls.certSourc: not in the chart's values.yaml`,
      `kubernetes:postgresql.cnpg.io/v1:Cluster "r": Cluster/harbor-db: spec: must have required property 'instances'`,
      `kubernetes:postgresql.cnpg.io/v1:Cluster "r": Cluster/harbor-db: spec: unknown field "instancez"`,
      `kubernetes:example.com/v1:Widget "r": Widget/harbor-db: no schema for example.com/v1 Widget: add its CRD to a *-crds folder of the upstream data, or a model/built-in check`,
    ]);
  });
});
