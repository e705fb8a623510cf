// The dev server certificate comes from @pulumi/tls (LocallySignedCert): nothing in the cluster
// renews it, only a `pulumi up` within its earlyRenewalHours of validityEndTime (the provider's
// `readyForRenewal`). Its expiry and that window are a stack output, and the doc names it.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ROOT, at, evaluateStack } from "../harness";

const CERT = "tls:index/locallySignedCert:LocallySignedCert";

describe("dev server certificate renewal", () => {
  it("exports when the certificate expires and how early a pulumi up renews it", async () => {
    const run = await evaluateStack("dev");
    const certs = run.byType(CERT);
    expect(certs, "one Pulumi-made server certificate").to.have.length(1);
    const hours = Number(at(certs[0].inputs, "validityPeriodHours"));
    const early = Number(at(certs[0].inputs, "earlyRenewalHours"));
    const output = run.outputs.serverCertificate?.value as
      { notAfter: string; renewalDays: number } | undefined;
    expect(output?.renewalDays, "renewalDays").to.equal(early / 24);
    // The mocks give validityEndTime from a fixed start (test/harness/mock-outputs.ts).
    expect(Date.parse(String(output?.notAfter)) - Date.UTC(2026, 0, 1)).to.equal(hours * 3600_000);
    const doc = fs.readFileSync(path.join(ROOT, "docs", "observability.md"), "utf8");
    expect(doc).to.contain("`serverCertificate`").and.contain("`notAfter`").and.contain("`renewalDays`");
  });

  it("prod has no such output: cert-manager renews and alerts", async () => {
    const run = await evaluateStack("prod");
    expect(run.outputs.serverCertificate?.value).to.equal(undefined);
    expect(run.byType(CERT)).to.deep.equal([]);
  });
});
