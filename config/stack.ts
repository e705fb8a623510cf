// The one impure step of config handling: read the stack's config from the Pulumi runtime and
// hand it to the pure parser. A bad value stops the program with one line (RunError prints
// no stack trace).
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, decodeStackConfig, parseConfig, type PlatformConfig } from "./index";

export function readStackConfig(): PlatformConfig {
  try {
    return parseConfig(decodeStackConfig(pulumi.runtime.allConfig(), pulumi.getProject()));
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
