// Which CA the Harbor API client trusts, shown through the real dynamic-provider host process
// (see harbor-host.ts). A stand-in public CA plays Let's Encrypt: Node extends its default
// roots with NODE_EXTRA_CA_CERTS (read at process start, which is why the host is a child
// process here), exactly as it would use a bundled root. Node's documentation of
// NODE_EXTRA_CA_CERTS and of tls.createSecureContext's `ca` (node 20): an explicit `ca` replaces
// the default roots, and then the extra certificates are not used either.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeHarbor } from "../fakes/harbor";
import { makeCa } from "../fakes/pki";
import { evaluateStack, type StackRun } from "../harness";
import { engineInputs, harborRegistrations, plain, startHarborHost, type HarborHost } from "./harbor-host";
import { lifecycle } from "./harbor-lifecycle";

const ACME = { certManager: { issuer: "acme", acme: { email: "ops@example.com" } } };

describe("Harbor API client's CA trust, through the real dynamic-provider host", function () {
  const projectCa = makeCa("harbor-platform test root CA");
  const publicCa = makeCa("stand-in public ACME root");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "extra-ca-"));
  const extraCaFile = path.join(dir, "public-ca.pem");
  fs.writeFileSync(extraCaFile, publicCa.cert);
  // Hosts whose default trust holds the public CA, and whose does not.
  let extended: HarborHost;
  let plainNode: HarborHost;
  let publicHarbor: FakeHarbor;
  let projectHarbor: FakeHarbor;
  let acmeRun: StackRun;

  before(async () => {
    [extended, plainNode] = await Promise.all([
      startHarborHost({ NODE_EXTRA_CA_CERTS: extraCaFile }),
      startHarborHost({ NODE_EXTRA_CA_CERTS: undefined }),
    ]);
    acmeRun = await evaluateStack("prod", ACME);
  });
  after(async () => {
    await Promise.all([extended?.plugin.stop(), plainNode?.plugin.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    [publicHarbor, projectHarbor] = await Promise.all([
      new FakeHarbor().start(publicCa.serverCert()),
      new FakeHarbor().start(projectCa.serverCert()),
    ]);
  });
  afterEach(async () => {
    await Promise.all([publicHarbor.stop(), projectHarbor.stop()]);
    expect([...publicHarbor.violations, ...projectHarbor.violations]).to.deep.equal([]);
  });

  /** Check + Create of the run's first Harbor resource; Harbor's error message if it fails. */
  async function createFirst(host: HarborHost, run: StackRun, fake: FakeHarbor): Promise<string> {
    const r = harborRegistrations(run)[0];
    const news = engineInputs(run, r, fake, projectCa.cert, new Map());
    try {
      const checked = await host.driver.check(r, {}, news);
      const state = await host.driver.create(r, checked.inputs, r.additionalSecretOutputs ?? []);
      await host.driver.delete(state);
      return "created";
    } catch (e) {
      return (e as Error).message;
    }
  }

  it("with certManager.issuer acme, every Harbor resource trusts node's default roots (no CA of its own)", () => {
    const cas = harborRegistrations(acmeRun).map(
      (r) => (plain(r.inputs.connection) as { caCert: string }).caCert,
    );
    expect(cas.length).to.be.greaterThan(0);
    expect([...new Set(cas)]).to.deep.equal([""]);
  });

  it("with acme, every Harbor resource goes through its lifecycle against a Harbor whose certificate a root in node's default trust issued", async () => {
    const { kindsCreated } = await lifecycle(extended, projectCa.cert, [acmeRun, acmeRun], publicHarbor);
    expect(kindsCreated.size).to.be.greaterThan(0);
  });

  it("without that root in node's trust, the same connection is refused: TLS is verified, not skipped", async () => {
    expect(await createFirst(plainNode, acmeRun, publicHarbor)).to.match(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(publicHarbor.calls).to.deep.equal([]);
  });

  it("a connection naming the project CA (the CA issuer's, and what acme got before) trusts nothing else: NODE_EXTRA_CA_CERTS no longer counts", async () => {
    const caRun = await evaluateStack("prod");
    expect(await createFirst(extended, caRun, publicHarbor)).to.match(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(publicHarbor.calls).to.deep.equal([]);
  });

  it("with the CA issuer, the project CA is trusted: Harbor with a project-CA certificate is reached", async () => {
    const caRun = await evaluateStack("prod");
    const ca = (plain(harborRegistrations(caRun)[0].inputs.connection) as { caCert: string }).caCert;
    expect(ca, "the program's CA").to.equal(caRun.outputs.caCert.value);
    expect(await createFirst(extended, caRun, projectHarbor)).to.equal("created");
    expect(await createFirst(plainNode, caRun, projectHarbor)).to.equal("created");
  });
});
