// A prod stack with the options that add secrets and flows: robots, OIDC, a registry with a
// credential on its own port, an external S3 endpoint. Shared so the tests that read it share
// one evaluation.
import { StackSecret, stackConfig } from "./index";

/** Secret config values, distinct enough to trace wherever the program passes them. */
export const SECRET_CONFIG = {
  oidcClientSecret: "needle-oidc-client-secret",
  upstreamSecret: "needle-registry-access-secret",
  objectStoreSecretKey: "needle-object-store-secret-key",
};

export const PROD_WITH_OPTIONS = {
  objectStore: { mode: "external", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
  objectStoreAccessKey: new StackSecret("AKIAEXAMPLE"),
  ...Object.fromEntries(Object.entries(SECRET_CONFIG).map(([k, v]) => [k, new StackSecret(v)])),
  harborConfig: {
    settings: {
      auth: {
        mode: "oidc",
        oidc: {
          endpoint: "https://sso.example.com/realms/x",
          clientId: "harbor",
          clientSecret: { secretKey: "oidcClientSecret" },
        },
      },
    },
    registries: [
      {
        name: "upstream",
        type: "harbor",
        url: "https://upstream.example.com:8443",
        credential: { accessKey: "robot$pull", accessSecret: { secretKey: "upstreamSecret" } },
      },
    ],
    projects: [{ name: "apps" }],
    robots: [{ name: "ci", project: "apps", access: ["repository:push"], pullSecretNamespaces: ["apps"] }],
  },
};

/** Harbor's LDAP login over ldaps (its bind password is the secret config key `ldapPassword`). */
export const LDAP_AUTH = {
  mode: "ldap",
  ldap: {
    url: "ldaps://ldap.example.com",
    searchDn: "cn=harbor",
    baseDn: "dc=example,dc=com",
    searchPassword: { secretKey: "ldapPassword" },
  },
};

/** Dev with what it may add: log shipping to ELK, and the selector labels of a cluster's Prometheus. */
export const devWithOptions = (): Record<string, unknown> => ({
  logging: stackConfig("prod").logging,
  elkApiKey: new StackSecret(Buffer.from("dev-id:dev-api-key").toString("base64")),
  alerting: { selectorLabels: { "harbor-platform/prometheus": "main" } },
  // The cluster runs prometheus-operator: dev's charts render their monitors then.
  existingOperators: { prometheusOperator: true },
});
