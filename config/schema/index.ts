// The config schema: every key the stack may set, in one record. The parser (config/index.ts),
// the Pulumi.yaml declarations and the README's configuration reference (./generate.ts) all
// come from it; test/config/schema.test.ts fails when either file is stale.
import { z } from "zod";
import { CORE_KEYS } from "./core";
import { DASHBOARD_KEYS } from "./dashboards";
import { key, text } from "./define";

// Sections still parsed by their own modules (config/prod.ts, dr.ts, observability.ts,
// harbor-config.ts); their schemas here only say whether a value is structured.
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
  logging: key({ schema: structured, doc: "Container logs to ELK.", group: "Observability" }),
  auditLogSyslog: key({ schema: scalar, doc: "Harbor's audit log to syslog.", group: "Observability" }),
  alerting: key({ schema: structured, doc: "Alert tuning.", group: "Observability" }),
  dr: key({
    schema: structured,
    doc: "DR bucket and mirror.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
  }),
  backup: key({
    schema: structured,
    doc: "Velero schedule.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
  }),
  restore: key({
    schema: structured,
    doc: "Restore switch.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
  }),
  restoredHarborSecretKey: key({
    schema: secretText(),
    doc: "Harbor's secret key, from the Velero backup, when the Pulumi state was lost.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
    secret: true,
  }),
  restoredHarborAdminPassword: key({
    schema: secretText(),
    doc: "Harbor's admin password, from the Velero backup, when the Pulumi state was lost.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
    secret: true,
  }),
  restoredDatabasePassword: key({
    schema: secretText(),
    doc: "The database password, from the Velero backup, when the Pulumi state was lost.",
    group: "Disaster recovery (prod)",
    topologies: ["prod"],
    secret: true,
  }),
} as const;

export const KEYS = { ...CORE_KEYS, ...LEGACY_KEYS, ...DASHBOARD_KEYS } as const;
export type Keys = typeof KEYS;

/** Keys of other namespaces the program reads: `aws:region` is the DR bucket's region. */
export const AWS_REGION_KEY = "aws:region";
export const FOREIGN_KEYS = [AWS_REGION_KEY] as const;
