import { expect } from "chai";
import { helmChartVersionPinned } from "../../policy/policies/helm-chart-version-pinned";
import { check, release } from "./helpers";

describe("policy helm-chart-version-pinned", () => {
  it("passes exact versions (with cert-manager's leading v)", async () => {
    const rs = [release("harbor", {}, "1.19.2"), release("cert-manager", {}, "v1.21.1")];
    expect(await check(helmChartVersionPinned, rs)).to.deep.equal([]);
  });
  for (const version of ["", "latest", "^1.19.0", "~1.19", "1.x", ">=1.0.0", "1.19"]) {
    it(`fails version ${JSON.stringify(version)}`, async () => {
      expect(await check(helmChartVersionPinned, [release("harbor", {}, version)])).to.have.length(1);
    });
  }
  it("fails a release without a version", async () => {
    const r = release("harbor", {});
    expect(
      await check(helmChartVersionPinned, [{ ...r, props: { ...r.props, version: undefined } }]),
    ).to.have.length(1);
  });
});
