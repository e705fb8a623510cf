// Secret config a stack's operator sets with `pulumi config set --secret` (the README lists
// them). Stack files cannot carry them here (no Pulumi CLI to encrypt), so the tests stand in
// for the operator with these stand-in values, passed to the program as secret config.
export const STACK_SECRETS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  dev: {},
  prod: {
    // logging.credentialsSecret in Pulumi.prod.yaml: the Elasticsearch API key, encoded as
    // Elasticsearch returns it (base64 of stand-in-id:stand-in-elk-api-key).
    elkApiKey: "c3RhbmQtaW4taWQ6c3RhbmQtaW4tZWxrLWFwaS1rZXk=",
  },
};
