// A site behind a corporate proxy, shared by the tests that evaluate one (the evaluations of the
// same overrides are shared). Addresses are from the private ranges a corporate network uses.
import { expect } from "chai";
import { ConfigError, parseConfig, type RawConfig } from "../../config";
import { StackSecret } from "../harness";

export const PROXY_URL = "http://proxy.corp.example.com:3128";

export const CORPORATE_PROXY = {
  httpProxy: PROXY_URL,
  cidrs: ["10.20.0.5/32"],
  serviceCidrs: ["10.96.0.0/12"],
  podCidrs: ["10.244.0.0/16"],
  internalCidrs: ["10.30.0.0/16"],
  noProxy: [".corp.example.com"],
};

/** What the site's DNS answers for the names the stacks dial directly, and for the proxy. */
export const PROXY_HOSTS: Readonly<Record<string, string>> = {
  "proxy.corp.example.com": "10.20.0.5",
  "syslog.example.com": "10.30.0.7",
  "sso.corp.example.com": "10.30.0.9",
};

/** prod behind the proxy, with an ACME issuer and an OIDC login on the internal network. */
export const prodBehindProxy = (): Record<string, unknown> => ({
  proxy: CORPORATE_PROXY,
  certManager: { issuer: "acme", acme: { email: "ops@corp.example.com" } },
  oidcClientSecret: new StackSecret("oidc-client-secret"),
  harborConfig: {
    settings: {
      auth: {
        mode: "oidc",
        oidc: {
          endpoint: "https://sso.corp.example.com/realms/harbor",
          clientId: "harbor",
          clientSecret: { secretKey: "oidcClientSecret" },
        },
      },
    },
  },
});

/** The one-line ConfigError a raw config gets (fails the test if it parses). */
export function configFailure(raw: RawConfig): string {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n")).to.have.length(1);
    return message;
  }
  throw new Error("expected a ConfigError");
}
