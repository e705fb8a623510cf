import { expect } from "chai";
import { logShippingTls } from "../../policy/policies/log-shipping-tls";
import { check, release } from "./helpers";

const outputs = (extra: string) => `[OUTPUT]
    Name es
    Match kube.*
    Host logs.example.com
    Port 9200
${extra}
`;

describe("policy log-shipping-tls", () => {
  it("passes outputs with tls On and tls.verify On", async () => {
    const r = release("fluent-bit", { config: { outputs: outputs("    tls On\n    tls.verify On") } });
    expect(await check(logShippingTls, [r])).to.deep.equal([]);
  });
  it("fails an output without tls", async () => {
    const r = release("fluent-bit", { config: { outputs: outputs("    tls.verify On") } });
    expect(await check(logShippingTls, [r])).to.deep.equal([
      'output es (match kube.*) does not set "tls On".',
    ]);
  });
  it("fails an output with tls.verify Off", async () => {
    const r = release("fluent-bit", { config: { outputs: outputs("    tls On\n    tls.verify Off") } });
    expect((await check(logShippingTls, [r]))[0]).to.match(/tls\.verify On/);
  });
  it("fails when no output is declared (chart default)", async () => {
    expect(await check(logShippingTls, [release("fluent-bit", {})])).to.have.length(1);
  });
});
