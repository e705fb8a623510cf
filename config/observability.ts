// The observability config shaped from the schema's typed values
// (config/schema/observability.ts): log shipping to ELK, Harbor's audit-log syslog target and
// alert tuning. Each field's own rule is in the schema; the rules here span fields.
import { quantityBytes } from "../policy/concepts/quantity";
import {
  LOGGING_CREDENTIAL_FORMATS,
  type AlertingValue,
  type LogAuth,
  type LogOutput,
  type LoggingValue,
} from "./schema/observability";
import type { SecretRef } from "./schema/parse";
import { ConfigError } from "./validate";

export {
  CHART_MONITOR_LABEL_KEYS,
  DEFAULT_RUNBOOK_BASE_URL,
  type LogAuth,
  type LogOutput,
} from "./schema/observability";

export interface LoggingConfig extends LoggingValue {
  readonly host: string;
  readonly port: number;
  /** Path prefix when the cluster sits behind a reverse proxy ("" when none). */
  readonly path: string;
  readonly bufferLimitBytes: number;
}

export interface SyslogEndpoint {
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[addr]:port` for IPv6), the value for Harbor's `audit_log_forward_endpoint`. */
  readonly endpoint: string;
}

export interface AlertingConfig extends Omit<AlertingValue, "drMirrorRpoMinutes"> {
  /** Recovery point objective of the DR mirror: the alert fires when the last success is older. */
  readonly drMirrorRpoMinutes: number;
}

export interface ObservabilityConfig {
  readonly logging?: LoggingConfig;
  readonly auditLogSyslog?: SyslogEndpoint;
  readonly alerting: AlertingConfig;
}

/** The typed values of the observability keys. */
export interface ObservabilityValues {
  readonly logging?: LoggingValue;
  readonly auditLogSyslog?: { readonly host: string; readonly port: number };
  readonly alerting: AlertingValue;
  /** The stale-mirror alert's default: the DR config's RPO when there is one. */
  readonly drRpoMinutes?: number;
}

/** Which auth each output takes (Fluent Bit's es plugin has no SigV4 for Elastic, OpenSearch no API key). */
const AUTH_FOR: Record<LogOutput, readonly LogAuth[]> = {
  es: ["basic", "apiKey"],
  opensearch: ["basic", "sigv4"],
};

function loggingConfig(l: LoggingValue): LoggingConfig {
  if (!AUTH_FOR[l.output].includes(l.auth))
    throw new ConfigError(
      "logging.auth",
      l.auth,
      `one of ${AUTH_FOR[l.output].join(", ")} (output ${l.output})`,
    );
  if (l.auth === "basic" && l.username === undefined)
    throw new ConfigError("logging.username", undefined, "required for basic auth: a user name");
  if (l.auth !== "basic" && l.username !== undefined)
    throw new ConfigError("logging.username", l.username, `only with auth basic (auth is ${l.auth})`);
  if (l.auth === "sigv4" && l.awsRegion === undefined)
    throw new ConfigError("logging.awsRegion", undefined, "required for sigv4: an AWS region like eu-west-1");
  if (l.auth !== "sigv4" && l.awsRegion !== undefined)
    throw new ConfigError("logging.awsRegion", l.awsRegion, `only with auth sigv4 (auth is ${l.auth})`);
  const url = new URL(l.endpoint);
  return {
    ...l,
    host: url.hostname,
    port: url.port === "" ? 443 : Number(url.port),
    path: url.pathname === "/" ? "" : url.pathname.replace(/\/$/, ""),
    bufferLimitBytes: Number(quantityBytes(l.bufferLimit)),
  };
}

/** Harbor dials `host:port` (Go's net.Dial), an IPv6 address in brackets. */
export function syslogOf(hp: { readonly host: string; readonly port: number }): SyslogEndpoint {
  const host = hp.host.includes(":") ? `[${hp.host}]` : hp.host;
  return { host: hp.host, port: hp.port, endpoint: `${host}:${hp.port}` };
}

/** The observability config from the typed values, or one ConfigError for a rule across fields. */
export function observabilityConfig(v: ObservabilityValues): ObservabilityConfig {
  const { drMirrorRpoMinutes, runbookBaseUrl, ...alerting } = v.alerting;
  return {
    ...(v.logging ? { logging: loggingConfig(v.logging) } : {}),
    ...(v.auditLogSyslog ? { auditLogSyslog: syslogOf(v.auditLogSyslog) } : {}),
    alerting: {
      ...alerting,
      runbookBaseUrl: runbookBaseUrl.replace(/\/+$/, ""),
      // The alert's own floor (5 minutes) holds for the DR RPO too: a tighter one would make it flap.
      drMirrorRpoMinutes:
        drMirrorRpoMinutes ?? (v.drRpoMinutes === undefined ? 60 : Math.max(5, v.drRpoMinutes)),
    },
  };
}

/** The secret config key `logging.credentialsSecret` names, with the shape its auth needs. */
export function loggingSecretRefs(cfg: ObservabilityConfig): SecretRef[] {
  const l = cfg.logging;
  return l
    ? [
        {
          key: l.credentialsSecret,
          by: "logging.credentialsSecret",
          format: LOGGING_CREDENTIAL_FORMATS[l.auth],
        },
      ]
    : [];
}

/** Stack secret keys the loader must read with `config.requireSecret` for this config. */
export function secretConfigKeys(cfg: ObservabilityConfig): string[] {
  return loggingSecretRefs(cfg).map((r) => r.key);
}
