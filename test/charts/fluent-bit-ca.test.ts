// Fluent Bit to an ELK behind a private CA: `logging.caCert` reaches the es output as
// `tls.ca_file` (an output property of fluent-bit v5.1.1, src/flb_output.c; the chart 0.58.1's
// appVersion), through a Secret the chart mounts with `extraVolumes`/`extraVolumeMounts` (its
// templates/_pod.tpl appends both to the DaemonSet's pod). Without it the output trusts only the
// image's system roots and every flush fails verification.
import * as path from "path";
import { expect } from "chai";
import { charts } from "../../versions";
import { makeCa, type TestCa } from "../fakes/pki";
import { at, evaluateStack, stackConfig } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** `key value` lines of the classic-mode [OUTPUT] section. */
function outputProperty(outputs: string, key: string): string | undefined {
  const line = outputs.split("\n").find((l) => l.trim().split(/\s+/)[0]?.toLowerCase() === key.toLowerCase());
  return line?.trim().split(/\s+/).slice(1).join(" ");
}

describe("Fluent Bit with a private ELK CA (logging.caCert)", () => {
  let ca: TestCa;
  before(() => {
    ca = makeCa("elk-private-ca");
  });
  const withCa = (caCert: string) => ({ logging: { ...(stackConfig("prod").logging as object), caCert } });

  it("verifies the ELK endpoint against that CA, mounted from a Secret", async () => {
    const run = await evaluateStack("prod", withCa(ca.cert));
    const release = run.byType(RELEASE).find((r) => r.inputs.chart === charts.fluentBit.chart);
    const values = release?.inputs.values as Record<string, unknown>;
    const outputs = String(at(values, "config.outputs"));
    expect(outputProperty(outputs, "tls.verify")).to.equal("On");
    const caFile = outputProperty(outputs, "tls.ca_file");
    expect(caFile, "tls.ca_file").to.be.a("string");

    const mounts = at(values, "extraVolumeMounts") as { name: string; mountPath: string }[];
    const mount = mounts.find((m) => m.mountPath === path.posix.dirname(String(caFile)));
    expect(mount, `a mount at ${path.posix.dirname(String(caFile))}`).to.not.equal(undefined);
    const volume = (at(values, "extraVolumes") as { name: string; secret?: { secretName: string } }[]).find(
      (v) => v.name === mount?.name,
    );
    const secretName = volume?.secret?.secretName;
    const secret = run
      .byType("kubernetes:core/v1:Secret")
      .find(
        (s) =>
          at(s.inputs, "metadata.name") === secretName &&
          at(s.inputs, "metadata.namespace") === release?.inputs.namespace,
      );
    const data = (secret?.inputs.stringData ?? {}) as Record<string, string>;
    expect(data[path.posix.basename(String(caFile))], "the CA in the mounted Secret").to.equal(ca.cert);
    expect(release?.dependencies, "the Release waits for the CA Secret").to.include(secret?.urn);
  });

  it("keeps the system roots when no CA is given", async () => {
    const run = await evaluateStack("prod");
    const release = run.byType(RELEASE).find((r) => r.inputs.chart === charts.fluentBit.chart);
    expect(outputProperty(String(at(release?.inputs.values, "config.outputs")), "tls.ca_file")).to.equal(
      undefined,
    );
  });

  const refusals: [string, () => string, string][] = [
    ["text that holds no certificate", () => "not a pem", "; no PEM certificate found"],
    ["a server certificate that is not a CA", () => ca.serverCert().cert, "; certificate 1 is not a CA"],
  ];
  for (const [what, pem, reason] of refusals) {
    it(`refuses ${what}, in one line`, async () => {
      let message = "";
      try {
        await evaluateStack("prod", withCa(pem()));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(/^harbor-platform:logging\.caCert = .*: PEM of the CA certificate\(s\)/m);
      expect(message).to.contain(reason);
      const line = message.split("\n").find((l) => l.includes("logging.caCert"));
      expect(line).to.contain(reason);
    });
  }
});
