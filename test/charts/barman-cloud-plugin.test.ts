// The barman-cloud plugin Release as a cluster would run it: held to chart 0.7.0 (pinned
// values.yaml and schema; templates read at cloudnative-pg/charts tag plugin-barman-cloud-v0.7.0,
// commit 83bd9c59) and to stakater/Reloader's lookup of its annotations.
import { expect } from "chai";
import { charts } from "../../versions";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, type StackRun } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/**
 * Chart versions whose Deployment cannot run more than one replica: only the leader serves gRPC
 * on 9090, the readinessProbe is tcpSocket 9090 and the strategy is Recreate
 * (templates/deployment.yaml at 0.7.0), so Helm waits for a follower that never becomes Ready
 * (plugin-barman-cloud #620; fix in PR #1105, unreleased; 0.8.0 still has it per DESIGN.md).
 * A new pin must be re-read and added here, or this test refuses it.
 */
const ONE_REPLICA_ONLY = new Set(["0.7.0", "0.8.0"]);

/**
 * Secrets the 0.7.0 Deployment mounts (templates/deployment.yaml volumes `server`, `client`),
 * which cert-manager renews (server-certificate.yaml, client-certificate.yaml: duration 2160h,
 * rotationPolicy Always); the plugin reads them only at start (cloudnative-pg #7947).
 */
const MOUNTED_SECRETS = ["barman-cloud-server-tls", "barman-cloud-client-tls"];

describe("barman-cloud plugin (chart plugin-barman-cloud)", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });
  const values = () => {
    const r = run.byType(RELEASE).find((x) => x.inputs.chart === charts.barmanCloudPlugin.chart);
    if (!r) throw new Error("prod installs no plugin-barman-cloud Release");
    expect(r.inputs.version).to.equal(charts.barmanCloudPlugin.version);
    // What the chart renders with: its pinned defaults under the stack's values.
    return coalesce(
      chartData(charts.barmanCloudPlugin.upstream).values,
      r.inputs.values as Record<string, unknown>,
    );
  };

  it("runs one replica while the pinned chart's Deployment cannot get a second one Ready", () => {
    const version = chartData(charts.barmanCloudPlugin.upstream).chartVersion;
    expect(
      ONE_REPLICA_ONLY.has(version),
      `chart ${version}: re-read its deployment.yaml before allowing more replicas`,
    ).to.equal(true);
    expect(values().replicaCount).to.equal(1);
  });

  it("restarts the plugin when cert-manager renews either Secret its Deployment mounts", () => {
    // commonAnnotations is rendered on the Deployment's metadata (deployment.yaml line 25);
    // podAnnotations exists in values.yaml but no 0.7.0 template reads it. Reloader reads the
    // workload's annotations (stakater/Reloader pkg/common/common.go ShouldReload), a
    // comma-separated list of Secret names.
    const annotation = at(values(), "commonAnnotations") as Record<string, string> | undefined;
    const listed = String(annotation?.["secret.reloader.stakater.com/reload"] ?? "").split(",");
    expect(listed).to.have.members(MOUNTED_SECRETS);
    const schema = chartData(charts.barmanCloudPlugin.upstream).schema;
    expect(at(schema, "properties.commonAnnotations"), "the schema knows commonAnnotations").to.not.equal(
      undefined,
    );
  });
});
