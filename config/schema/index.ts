// The config schema: every key the stack may set, in one record. The parser (config/index.ts),
// the Pulumi.yaml declarations and the README's configuration reference (./generate.ts) all
// come from it; test/config/schema.test.ts fails when either file is stale.
import { z } from "zod";
import { CORE_KEYS } from "./core";
import { key, text } from "./define";
import { DR_FOREIGN_KEYS, DR_KEYS } from "./dr";
import { OBSERVABILITY_KEYS } from "./observability";

// Sections still parsed by their own modules (config/prod.ts, harbor-config.ts); their schemas here only say whether a value is structured.
const structured = z.record(z.string(), z.unknown());
const scalar = z.unknown();

const secretText = () => text("a non-empty secret");

export const LEGACY_KEYS = {
  networkPolicy: key({
    schema: structured,
    doc: "Which namespaces may reach Harbor and scrape metrics, and where the API server answers.",
    group: "Core",
  }),
  harborConfig: key({
    schema: structured,
    doc: "Harbor configuration as code: settings, schedules, registries, projects, robots, replications.",
    group: "Core",
  }),
  certManager: key({
    schema: structured,
    doc: "Issuer of Harbor's public certificate.",
    group: "Prod data tier",
    topologies: ["prod"],
  }),
  database: key({
    schema: structured,
    doc: "CloudNativePG cluster.",
    group: "Prod data tier",
    topologies: ["prod"],
  }),
  redis: key({
    schema: structured,
    doc: "Redis with Sentinel.",
    group: "Prod data tier",
    topologies: ["prod"],
  }),
  objectStore: key({
    schema: structured,
    doc: "S3 object store.",
    group: "Prod data tier",
    topologies: ["prod"],
  }),
  zones: key({
    schema: scalar,
    doc: "Zones the data tier spreads over.",
    group: "Prod data tier",
    topologies: ["prod"],
  }),
  objectStoreAccessKey: key({
    schema: secretText(),
    doc: "Access key of the external object store.",
    group: "Prod data tier",
    topologies: ["prod"],
    secret: true,
  }),
  objectStoreSecretKey: key({
    schema: secretText(),
    doc: "Secret key of the external object store.",
    group: "Prod data tier",
    topologies: ["prod"],
    secret: true,
  }),
} as const;

export const KEYS = { ...CORE_KEYS, ...LEGACY_KEYS, ...OBSERVABILITY_KEYS, ...DR_KEYS } as const;
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
