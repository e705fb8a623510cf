// Observability stack config: log shipping to ELK, Harbor's audit-log syslog target and alert
// tuning. Pure; every bad value fails with one ConfigError line.
import { parseHostPort } from "../policy/concepts/network";
import type { Topology } from "./index";
import {
  ConfigError,
  bytesOf,
  caCertificatesPem,
  httpsUrl,
  int,
  isPlainObject,
  k8sName,
  obj,
  oneOf,
  size,
  str,
} from "./validate";

export type LogOutput = "es" | "opensearch";
export type LogAuth = "basic" | "apiKey" | "sigv4";

export interface LoggingConfig {
  readonly output: LogOutput;
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** Path prefix when the cluster sits behind a reverse proxy ("" when none). */
  readonly path: string;
  readonly index: string;
  readonly auth: LogAuth;
  /** basic only: the user; the password comes from `credentialsSecret`. */
  readonly username?: string;
  /**
   * Name of the stack secret config key holding the credential (read with requireSecret):
   * basic -> the password; apiKey -> the base64 API key; sigv4 -> JSON
   * {"accessKeyId": "...", "secretAccessKey": "..."}.
   */
  readonly credentialsSecret: string;
  readonly awsRegion?: string;
  /** PEM of the private CA that signs the endpoint's certificate; the system roots when absent. */
  readonly caCert?: string;
  /** On-disk buffer per output: what an ELK outage may fill before Fluent Bit drops the oldest chunks. */
  readonly bufferLimit: string;
  readonly bufferLimitBytes: number;
  readonly namespace: string;
}

export interface SyslogEndpoint {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the value for Harbor's `audit_log_forward_endpoint`. */
  readonly endpoint: string;
}

export interface AlertingConfig {
  /** Base of the runbook links in alert annotations (ends without a slash). */
  readonly runbookBaseUrl: string;
  /** Recovery point objective of the DR mirror: the alert fires when the last success is older. */
  readonly drMirrorRpoMinutes: number;
  /** Hours without a successful GC before GarbageCollectionStale fires. */
  readonly gcMaxAgeHours: number;
  /** 401 answers per second from Harbor core (5 minute rate) that count as a burst. */
  readonly authFailuresPerSecond: number;
  /** Percent used at which storage alerts fire (MinIO and every PVC). */
  readonly storageUsedPercent: number;
  /** Seconds of replica lag before CloudNativePGReplicationLag fires. */
  readonly replicationLagSeconds: number;
  /** Labels the cluster's Prometheus selects monitors and rules by (e.g. harbor-platform/prometheus: kube-prometheus-stack). */
  readonly selectorLabels: Readonly<Record<string, string>>;
}

export interface ObservabilityConfig {
  readonly logging?: LoggingConfig;
  readonly auditLogSyslog?: SyslogEndpoint;
  readonly alerting: AlertingConfig;
}

/** Stack keys this module reads; the top-level parser must accept them. */
export const OBSERVABILITY_KEYS = ["logging", "auditLogSyslog", "alerting"] as const;

export const DEFAULT_RUNBOOK_BASE_URL =
  "https://github.com/harbor-platform/harbor-platform/blob/main/docs/runbooks";

const LOGGING_KEYS = [
  "output",
  "endpoint",
  "index",
  "auth",
  "username",
  "credentialsSecret",
  "awsRegion",
  "caCert",
  "bufferLimit",
  "namespace",
] as const;

const AUTH_FOR: Record<LogOutput, readonly LogAuth[]> = {
  es: ["basic", "apiKey"],
  opensearch: ["basic", "sigv4"],
};

// Elasticsearch/OpenSearch index names: lower case, no separators that break the bulk API.
const INDEX = /^[a-z0-9][a-z0-9._-]{0,254}$/;
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

function parseLogging(raw: unknown): LoggingConfig {
  const o = obj("logging", raw, LOGGING_KEYS);
  const output = oneOf("logging.output", o.output, ["es", "opensearch"] as const);
  const endpoint = httpsUrl("logging.endpoint", o.endpoint);
  const url = new URL(endpoint);
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new ConfigError(
      "logging.endpoint",
      o.endpoint,
      "an https:// URL without query, fragment or credentials (credentials come from credentialsSecret)",
    );
  }
  const auth = oneOf("logging.auth", o.auth, AUTH_FOR[output]);
  const index = str("logging.index", o.index ?? "harbor");
  if (!INDEX.test(index))
    throw new ConfigError(
      "logging.index",
      o.index,
      "a lower-case index name: letters, digits, '.', '_', '-'",
    );
  if (o.credentialsSecret === undefined) {
    throw new ConfigError(
      "logging.credentialsSecret",
      o.credentialsSecret,
      `required: the name of the stack secret config key holding the ${auth} credential`,
    );
  }
  const credentialsSecret = str("logging.credentialsSecret", o.credentialsSecret);
  if (!CONFIG_KEY.test(credentialsSecret))
    throw new ConfigError(
      "logging.credentialsSecret",
      o.credentialsSecret,
      "a config key name like elkPassword",
    );
  let username: string | undefined;
  if (auth === "basic")
    username = str("logging.username", o.username, "required for basic auth: a user name");
  else if (o.username !== undefined)
    throw new ConfigError("logging.username", o.username, `only with auth basic (auth is ${auth})`);
  let awsRegion: string | undefined;
  if (auth === "sigv4") {
    if (typeof o.awsRegion !== "string" || !AWS_REGION.test(o.awsRegion))
      throw new ConfigError(
        "logging.awsRegion",
        o.awsRegion,
        "required for sigv4: an AWS region like eu-west-1",
      );
    awsRegion = o.awsRegion;
  } else if (o.awsRegion !== undefined) {
    throw new ConfigError("logging.awsRegion", o.awsRegion, "only with auth sigv4");
  }
  const caCert = o.caCert === undefined ? undefined : caCertificatesPem("logging.caCert", o.caCert);
  const bufferLimit = size("logging.bufferLimit", o.bufferLimit, "5Gi");
  return {
    output,
    endpoint,
    host: url.hostname,
    port: url.port === "" ? 443 : Number(url.port),
    path: url.pathname === "/" ? "" : url.pathname.replace(/\/$/, ""),
    index,
    auth,
    ...(username !== undefined ? { username } : {}),
    credentialsSecret,
    ...(awsRegion !== undefined ? { awsRegion } : {}),
    ...(caCert !== undefined ? { caCert } : {}),
    bufferLimit,
    bufferLimitBytes: bytesOf(bufferLimit),
    namespace: k8sName("logging.namespace", o.namespace, "logging"),
  };
}

/** `host:port` as Harbor dials it for audit-log forwarding (syslog over TCP); `[addr]:port` for IPv6. */
export function syslogEndpoint(key: string, value: unknown): SyslogEndpoint {
  const allowed = "host:port, like syslog.example.com:514 (port 1-65535, no scheme)";
  const hp = typeof value === "string" ? parseHostPort(value) : undefined;
  if (hp === undefined) throw new ConfigError(key, value, allowed);
  return { host: hp.host, port: hp.port, endpoint: value as string };
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function labels(key: string, raw: unknown): Readonly<Record<string, string>> {
  if (raw === undefined) return {};
  if (!isPlainObject(raw))
    throw new ConfigError(
      key,
      raw,
      "an object of Kubernetes labels, like {harbor-platform/prometheus: kube-prometheus-stack}",
    );
  for (const [k, v] of Object.entries(raw)) {
    if (!LABEL_KEY.test(k) || typeof v !== "string" || !LABEL_VALUE.test(v)) {
      throw new ConfigError(`${key}.${k}`, v, "a Kubernetes label (name: value, both valid label syntax)");
    }
  }
  return raw as Record<string, string>;
}

/**
 * Label keys the pinned charts write on their own monitors before the user's labels (Harbor,
 * redis-ha, MinIO, cert-manager, Velero, Fluent Bit, CloudNativePG templates): a selector label
 * with one of these keys gives a monitor two of that key, which strict YAML parsers refuse
 * (harbor-helm #2364) and Helm resolves by keeping the last.
 */
export const CHART_MONITOR_LABEL_KEYS: readonly string[] = [
  "app",
  "chart",
  "heritage",
  "prometheus",
  "release",
  "helm.sh/chart",
  "app.kubernetes.io/component",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/managed-by",
  "app.kubernetes.io/name",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/version",
];

function selectorLabels(raw: unknown): Readonly<Record<string, string>> {
  const key = "alerting.selectorLabels";
  const parsed = labels(key, raw);
  const taken = Object.keys(parsed).filter((k) => CHART_MONITOR_LABEL_KEYS.includes(k));
  if (taken.length > 0)
    throw new ConfigError(
      key,
      raw,
      `label keys other than ${CHART_MONITOR_LABEL_KEYS.join(", ")} (the charts write those on their monitors; a second ${taken.join(", ")} key breaks strict YAML parsers), like {harbor-platform/prometheus: kube-prometheus-stack}`,
    );
  return parsed;
}

function parseAlerting(raw: unknown): AlertingConfig {
  const o =
    raw === undefined
      ? {}
      : obj("alerting", raw, [
          "runbookBaseUrl",
          "drMirrorRpoMinutes",
          "gcMaxAgeHours",
          "authFailuresPerSecond",
          "storageUsedPercent",
          "replicationLagSeconds",
          "selectorLabels",
        ]);
  const base =
    o.runbookBaseUrl === undefined
      ? DEFAULT_RUNBOOK_BASE_URL
      : httpsUrl("alerting.runbookBaseUrl", o.runbookBaseUrl);
  return {
    runbookBaseUrl: base.replace(/\/+$/, ""),
    drMirrorRpoMinutes: int("alerting.drMirrorRpoMinutes", o.drMirrorRpoMinutes, 60, 5, 7 * 24 * 60),
    // GC runs at least weekly (the policy pack requires it): 8 days without a success is stale.
    gcMaxAgeHours: int("alerting.gcMaxAgeHours", o.gcMaxAgeHours, 8 * 24, 2, 24 * 31),
    authFailuresPerSecond: int("alerting.authFailuresPerSecond", o.authFailuresPerSecond, 5, 1, 10000),
    storageUsedPercent: int("alerting.storageUsedPercent", o.storageUsedPercent, 85, 50, 99),
    replicationLagSeconds: int("alerting.replicationLagSeconds", o.replicationLagSeconds, 60, 5, 86400),
    selectorLabels: selectorLabels(o.selectorLabels),
  };
}

/**
 * Parses the observability keys of the stack config. Log shipping is off unless `logging` is
 * set in dev and required in prod.
 */
export function parseObservability(
  raw: Readonly<Record<string, unknown>>,
  topology: Topology,
): ObservabilityConfig {
  if (raw.logging === undefined && topology === "prod") {
    throw new ConfigError(
      "logging",
      raw.logging,
      "required for topology prod: {output, endpoint (https), auth, credentialsSecret}",
    );
  }
  const logging = raw.logging === undefined ? undefined : parseLogging(raw.logging);
  if (logging && raw[logging.credentialsSecret] === undefined) {
    throw new ConfigError(
      logging.credentialsSecret,
      undefined,
      `missing secret named by logging.credentialsSecret: set it with pulumi config set --secret ${logging.credentialsSecret}`,
    );
  }
  return {
    ...(logging ? { logging } : {}),
    ...(raw.auditLogSyslog !== undefined
      ? { auditLogSyslog: syslogEndpoint("auditLogSyslog", raw.auditLogSyslog) }
      : {}),
    alerting: parseAlerting(raw.alerting),
  };
}

/** Stack secret keys the loader must read with `config.requireSecret` for this config. */
export function secretConfigKeys(cfg: ObservabilityConfig): string[] {
  return cfg.logging ? [cfg.logging.credentialsSecret] : [];
}
