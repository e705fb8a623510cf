// One section of the stack's config read on its own, with the schema and shaping parseConfig
// uses: for the tests of that section. The program only ever reads the whole config
// (config/index.ts parseConfig).
import { drConfig, type DrConfig } from "../../config/dr";
import { harborConfiguration, type HarborConfigurationSpec } from "../../config/harbor-config";
import {
  loggingSecretRefs,
  observabilityConfig,
  syslogOf,
  type ObservabilityConfig,
  type SyslogEndpoint,
} from "../../config/observability";
import { CORE_KEYS } from "../../config/schema/core";
import type { Topology } from "../../config/schema/define";
import { DR_FOREIGN_KEYS, DR_KEYS } from "../../config/schema/dr";
import { HARBOR_CONFIG_KEYS } from "../../config/schema/harbor-config";
import { OBSERVABILITY_KEYS } from "../../config/schema/observability";
import { checkSecretRefs, parseKeys } from "../../config/schema/parse";
import { readLeaf } from "./read-leaf";

type Raw = Readonly<Record<string, unknown>>;

const DR_SECTION = { topology: CORE_KEYS.topology, ...DR_KEYS, ...DR_FOREIGN_KEYS } as const;

/** The DR keys (`dr`, `backup`, `restore`, `aws:region`); undefined in dev, which refuses them. */
export function parseDr(raw: Raw, topology: Topology, awsRegion: string | undefined): DrConfig | undefined {
  const section = Object.fromEntries(Object.keys(DR_SECTION).map((k) => [k, raw[k]]));
  const { parsed: v } = parseKeys(DR_SECTION, { ...section, topology, "aws:region": awsRegion }, "topology");
  if (v.topology !== "prod") return undefined;
  return drConfig({
    region: v.get("aws:region"),
    dr: v.get("dr"),
    backup: v.get("backup"),
    restore: v.get("restore"),
  });
}

const OBSERVABILITY_SECTION = { topology: CORE_KEYS.topology, ...OBSERVABILITY_KEYS } as const;

/** `logging`, `auditLogSyslog` and `alerting`, with the secret `logging` names. */
export function parseObservability(raw: Raw, topology: Topology): ObservabilityConfig {
  const named = new Set(Object.keys(OBSERVABILITY_SECTION));
  const logging = raw.logging as { credentialsSecret?: unknown } | undefined;
  const credential = typeof logging?.credentialsSecret === "string" ? logging.credentialsSecret : undefined;
  const section = Object.fromEntries(
    Object.keys(raw)
      .filter((k) => named.has(k) || k === credential)
      .map((k) => [k, raw[k]]),
  );
  const input = { ...section, topology };
  const { parsed: v, deferred } = parseKeys(OBSERVABILITY_SECTION, input, "topology");
  const cfg = observabilityConfig({
    logging: v.opt("logging"),
    auditLogSyslog: v.opt("auditLogSyslog"),
    alerting: v.get("alerting"),
  });
  checkSecretRefs(OBSERVABILITY_SECTION, input, deferred, loggingSecretRefs(cfg));
  return cfg;
}

/** A syslog endpoint given under `key`, read as `auditLogSyslog` is. */
export function syslogEndpoint(key: string, value: unknown): SyslogEndpoint {
  return syslogOf(readLeaf(key, OBSERVABILITY_KEYS.auditLogSyslog.schema, value));
}

/** `harborConfig` (the stack's value, or the topology's default when unset) as the component gets it. */
export function parseHarborConfiguration(raw: unknown, topology: Topology): HarborConfigurationSpec {
  const def = HARBOR_CONFIG_KEYS.harborConfig;
  return harborConfiguration(readLeaf("harborConfig", def.schema, raw ?? def.defaults?.[topology]), topology);
}
