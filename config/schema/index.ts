// The config schema: every key the stack may set, in one record. The parser (config/index.ts),
// the Pulumi.yaml declarations and the README's configuration reference (./generate.ts) all
// come from it; test/config/schema.test.ts fails when either file is stale.
import { CORE_KEYS } from "./core";
import { DASHBOARD_KEYS } from "./dashboards";
import { DR_FOREIGN_KEYS, DR_KEYS } from "./dr";
import { ENTRY_POINT_KEYS } from "./entry-point";
import { HARBOR_CONFIG_KEYS } from "./harbor-config";
import { OBSERVABILITY_KEYS } from "./observability";
import { OPERATOR_KEYS } from "./operators";
import { PROD_KEYS } from "./prod";
import { MIRROR_KEYS } from "./mirror";
import { PROXY_KEYS } from "./proxy";
import { TRIVY_KEYS } from "./trivy";
import { UPGRADE_KEYS } from "./upgrade";

export const KEYS = {
  ...CORE_KEYS,
  ...ENTRY_POINT_KEYS,
  ...HARBOR_CONFIG_KEYS,
  ...PROD_KEYS,
  ...OBSERVABILITY_KEYS,
  ...DR_KEYS,
  ...DASHBOARD_KEYS,
  ...PROXY_KEYS,
  ...TRIVY_KEYS,
  ...MIRROR_KEYS,
  ...UPGRADE_KEYS,
  ...OPERATOR_KEYS,
} as const;
export type Keys = typeof KEYS;

/**
 * Keys of other namespaces the program reads, kept under their full name (`aws:region` is the
 * DR bucket's region). Parsed with KEYS, and kept apart from them: they belong to their
 * provider's namespace, not the project's.
 */
export const FOREIGN_KEYS = { ...DR_FOREIGN_KEYS } as const;
export const AWS_REGION_KEY = "aws:region" satisfies keyof typeof FOREIGN_KEYS;

/** Every key parseConfig reads: the project's and the foreign ones. */
export const ALL_KEYS = { ...KEYS, ...FOREIGN_KEYS } as const;
export type AllKeys = typeof ALL_KEYS;
