// A site behind a corporate proxy, shared by the tests that evaluate one (the evaluations of the
// same overrides are shared). Addresses are from the private ranges a corporate network uses.
import { parseConfig, type RawConfig } from "../../config";
import { configFailure as failure } from "../config/failure";
import { StackSecret } from "../harness";
import type { Endpoint } from "../reachability/network-policy";

export const PROXY_URL = "http://proxy.corp.example.com:3128";

export const CORPORATE_PROXY = {
  httpProxy: PROXY_URL,
  cidrs: ["10.20.0.5/32"],
  serviceCidrs: ["10.96.0.0/12"],
  podCidrs: ["10.244.0.0/16"],
  internalCidrs: ["10.30.0.0/16"],
  noProxy: [".corp.example.com"],
};

/** The proxy's address (in `cidrs`, and what PROXY_HOSTS answers for its name). */
export const PROXY_ADDRESS = "10.20.0.5";

/** Pods of prodBehindProxy that call out of the site (an ACME issuer: cert-manager's controller too). */
export const OUTBOUND_CALLERS: readonly Endpoint[] = [
  { namespace: "harbor", labels: { app: "harbor", release: "harbor", component: "core" } },
  { namespace: "harbor", labels: { app: "harbor", release: "harbor", component: "trivy" } },
  { namespace: "velero", labels: { "app.kubernetes.io/name": "velero" } },
  { namespace: "minio", labels: { "app.kubernetes.io/name": "dr-mirror" } },
  { namespace: "cert-manager", labels: { "app.kubernetes.io/component": "controller" } },
];

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
export const configFailure = (raw: RawConfig): string => failure(() => parseConfig(raw));

/** A container's env list as name -> value (a value from a Secret or field reads as ""). */
export const envOf = (list: unknown): Record<string, string> =>
  Object.fromEntries(
    ((list ?? []) as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? ""]),
  );
