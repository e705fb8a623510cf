// Constructs the components under the SDK's mocks with prod-like args and checks what they register.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { parseObservability } from "../config/sections";

interface Reg {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("observability components under mocks", () => {
  const registered: Reg[] = [];
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs as Record<string, unknown>,
          });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "harbor-platform",
      "prod",
      false,
    );
    const cfg = parseObservability(
      {
        logging: {
          output: "es",
          endpoint: "https://elk.example.com",
          auth: "basic",
          username: "shipper",
          credentialsSecret: "elkPassword",
        },
        elkPassword: "pw-value-123",
      },
      "prod",
    );
    const { FluentBit } = await import("../../components/logging");
    const { KEYS, networkPolicySettings } = await import("../../config");
    const { Monitoring } = await import("../../components/monitoring");
    const { PUBLIC_SOURCES } = await import("../../components/mirror");
    if (!cfg.logging) throw new Error("logging expected");
    new FluentBit("fluent-bit", {
      logging: cfg.logging,
      harborNamespace: "harbor",
      credential: pulumi.secret("pw-value-123"),
      quota: { storage: "10Gi", persistentVolumeClaims: 5 },
      networkPolicy: networkPolicySettings(KEYS.networkPolicy.schema.parse({}), "dev"),
      sources: PUBLIC_SOURCES,
    });
    new Monitoring("monitoring", {
      parts: {
        harborNamespace: "harbor",
        database: { namespace: "harbor-db", cluster: "harbor-db" },
        redis: { namespace: "harbor-redis" },
        minio: { namespace: "minio", drMirror: true },
        velero: { namespace: "velero" },
        fluentBit: { namespace: "logging" },
      },
      alerting: cfg.alerting,
      ruleNamespace: "harbor",
      selectorLabels: { release: "kube-prometheus-stack" },
      redisPodLabels: { app: "redis-ha", release: "redis" },
      drMirrorPod: { labels: { "app.kubernetes.io/name": "dr-mirror" }, port: "metrics" },
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
  });

  it("installs fluent-bit 0.58.1 in a privileged namespace with no secret in the values", () => {
    const release = registered.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
    expect(release?.inputs).to.include({ chart: "fluent-bit", version: "0.58.1", namespace: "logging" });
    expect(JSON.stringify(release?.inputs)).to.not.include("pw-value-123");
    const ns = registered.find((r) => r.type === "kubernetes:core/v1:Namespace");
    expect(JSON.stringify(ns?.inputs)).to.include('"pod-security.kubernetes.io/enforce":"privileged"');
  });

  it("registers the PodMonitors and the PrometheusRule as monitoring.coreos.com/v1 objects", () => {
    const crs = registered.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:"));
    expect(crs.map((r) => r.type).sort()).to.deep.equal([
      "kubernetes:monitoring.coreos.com/v1:PodMonitor",
      "kubernetes:monitoring.coreos.com/v1:PodMonitor",
      "kubernetes:monitoring.coreos.com/v1:PodMonitor",
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    ]);
  });
});
