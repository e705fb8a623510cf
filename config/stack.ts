// The one impure step of config handling: read the stack's config from the Pulumi runtime and
// hand it to the pure parser. A bad value stops the program with one line (RunError prints
// no stack trace).
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, decodeStackConfig, parseConfig, projectKeys, type PlatformConfig } from "./index";

/** The SDK's record of which config keys the CLI passed as secrets (runtime/config.js). */
interface RuntimeConfigSecrets {
  isConfigSecret(key: string): boolean;
}

/** Keys (without the project prefix) the stack stores as secrets. */
function storedSecretKeys(all: Readonly<Record<string, string>>, project: string): Set<string> {
  // isConfigSecret is marked internal in the SDK's typings but exported by runtime/config.js
  // (v3.248); it reads PULUMI_CONFIG_SECRET_KEYS, the list the CLI hands the program.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as RuntimeConfigSecrets;
  return projectKeys(
    Object.keys(all).filter((k) => runtimeConfig.isConfigSecret(k)),
    project,
  );
}

export function readStackConfig(): PlatformConfig {
  try {
    const all = pulumi.runtime.allConfig();
    const project = pulumi.getProject();
    const secretKeys = storedSecretKeys(all, project);
    return parseConfig(decodeStackConfig(all, project, secretKeys), { secretKeys });
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** The secret config values the parsed config refers to, kept secret end to end. */
export function readStackSecrets(cfg: PlatformConfig): Record<string, pulumi.Output<string>> {
  const config = new pulumi.Config();
  return Object.fromEntries(cfg.secretKeys.map((key) => [key, pulumi.secret(config.requireSecret(key))]));
}
