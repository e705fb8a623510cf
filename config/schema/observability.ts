// The observability keys: container logs to Elasticsearch/OpenSearch (Fluent Bit), Harbor's
// audit log to syslog, and the alerts' tuning. Rules across fields (which auth an output takes,
// what each auth needs) are in config/observability.ts; the credential's own shape is checked
// at parse time as the format of the secret `logging.credentialsSecret` names.
import { z } from "zod";
import {
  caPemProblem,
  hasControlCharacters,
  hostPort,
  httpsUrl,
  integer,
  k8sName,
  key,
  leaf,
  oneOf,
  pattern,
  section,
  size,
  text,
} from "./define";
import { awsRegion } from "./aws";

const OBSERVABILITY = "Observability";

export const LOG_OUTPUTS = ["es", "opensearch"] as const;
export type LogOutput = (typeof LOG_OUTPUTS)[number];
export const LOG_AUTHS = ["basic", "apiKey", "sigv4"] as const;
export type LogAuth = (typeof LOG_AUTHS)[number];

export const DEFAULT_RUNBOOK_BASE_URL =
  "https://github.com/harbor-platform/harbor-platform/blob/main/docs/runbooks";

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

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Labels the cluster's Prometheus selects monitors and rules by; never a key the charts write. */
function selectorLabels() {
  return z
    .record(z.string(), pattern(LABEL_VALUE, "a Kubernetes label value (at most 63 of A-Z a-z 0-9 - _ .)"))
    .superRefine((labels, ctx) => {
      for (const k of Object.keys(labels)) {
        if (!LABEL_KEY.test(k))
          ctx.addIssue({
            code: "custom",
            path: [k],
            input: labels[k],
            message: `a Kubernetes label key (optional DNS prefix and '/', then at most 63 of A-Z a-z 0-9 - _ .); ${JSON.stringify(k)} is not one`,
          });
      }
      const taken = Object.keys(labels).filter((k) => CHART_MONITOR_LABEL_KEYS.includes(k));
      if (taken.length > 0)
        ctx.addIssue({
          code: "custom",
          input: labels,
          message: `label keys other than ${CHART_MONITOR_LABEL_KEYS.join(", ")} (the charts write those on their monitors; a second ${taken.join(", ")} key breaks strict YAML parsers), like {harbor-platform/prometheus: kube-prometheus-stack}`,
        });
    });
}

/** The ELK endpoint: Fluent Bit gets its host, port and path; credentials come from a secret. */
function elkEndpoint() {
  return httpsUrl().superRefine((endpoint, ctx) => {
    const url = new URL(endpoint);
    if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "")
      ctx.addIssue({
        code: "custom",
        input: endpoint,
        message:
          "an https:// URL without query, fragment or credentials (credentials come from credentialsSecret)",
      });
  });
}

// Fluent Bit writes logs to `<index>-YYYY.MM.DD` (Logstash_Format; out_es's default separator
// and date format, fluent/fluent-bit v5.1.1 plugins/out_es/es.c, es.h), and Elasticsearch
// takes lower-case index names of at most 255 bytes not starting with '-', '_' or '+'.
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]{0,243}$/;

// Fluent Bit trims a config value and substitutes `${VAR}` in it (src/flb_env.c,
// flb_env_var_translate); basic auth cannot carry a ':' in the user (RFC 7617).
const BASIC_USER = /^(?!\s)(?!.*\s$)(?!.*\$\{)[^:]+$/s;

/** Stack config key names a credential may be stored under (`elkPassword`). */
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

export const OBSERVABILITY_KEYS = {
  logging: key({
    schema: section({
      output: oneOf(LOG_OUTPUTS).meta({ doc: "Fluent Bit output plugin: es (Elasticsearch) or opensearch" }),
      endpoint: elkEndpoint().meta({
        doc: "https:// URL of the cluster (a path when behind a reverse proxy)",
      }),
      index: pattern(
        INDEX_PREFIX,
        "a lower-case index name prefix: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 244 (Fluent Bit appends -YYYY.MM.DD; Elasticsearch allows 255)",
      )
        .prefault("harbor")
        .meta({ doc: "index prefix; logs go to <index>-YYYY.MM.DD" }),
      auth: oneOf(LOG_AUTHS).meta({ doc: "basic or apiKey (es), basic or sigv4 (opensearch)" }),
      username: pattern(
        BASIC_USER,
        "a user name without ':' (basic auth), '${' (Fluent Bit substitutes it) or surrounding spaces",
      )
        .optional()
        .meta({ doc: "basic auth only: the user" }),
      credentialsSecret: pattern(
        CONFIG_KEY,
        "the name of the stack's secret config key holding the credential, like elkPassword",
      ).meta({
        doc: "secret config key holding the credential: the password (basic), the base64 id:api_key (apiKey), or JSON {accessKeyId, secretAccessKey} (sigv4)",
      }),
      awsRegion: awsRegion().optional().meta({ doc: "sigv4 only: the OpenSearch domain's region" }),
      caCert: caCertificates().optional().meta({
        doc: "PEM of the private CA(s) signing the endpoint's certificate",
        defaultText: "the system roots",
      }),
      bufferLimit: size()
        .prefault("5Gi")
        .meta({ doc: "disk buffer per node an ELK outage may fill before the oldest chunks are dropped" }),
      namespace: k8sName().prefault("logging").meta({ doc: "namespace of Fluent Bit" }),
    }),
    doc: "Container logs to Elasticsearch or OpenSearch with Fluent Bit over verified TLS.",
    group: OBSERVABILITY,
    required: ["prod"],
    requiredHint: "{output, endpoint (https), auth, credentialsSecret}",
  }),
  auditLogSyslog: key({
    schema: hostPort("host:port, like syslog.example.com:514 (port 1-65535, no scheme)"),
    doc: "Where Harbor forwards its audit log (syslog over TCP; Harbor's audit_log_forward_endpoint): host:port, or [IPv6 address]:port.",
    group: OBSERVABILITY,
  }),
  alerting: key({
    schema: section({
      runbookBaseUrl: httpsUrl()
        .prefault(DEFAULT_RUNBOOK_BASE_URL)
        .meta({ doc: "base of the runbook links in alert annotations" }),
      drMirrorRpoMinutes: integer(5, 7 * 24 * 60)
        .optional()
        .meta({
          doc: "age of the last successful DR mirror run that alerts",
          defaultText: "dr.rpoMinutes (at least 5); 60 without DR",
        }),
      gcMaxAgeHours: integer(2, 24 * 31)
        // GC runs at least weekly (the policy pack requires it): 8 days without a success is stale.
        .prefault(8 * 24)
        .meta({ doc: "hours without a successful garbage collection that alert" }),
      authFailuresPerSecond: integer(1, 10000)
        .prefault(5)
        .meta({ doc: "401 answers per second from Harbor core (5 minute rate) that count as a burst" }),
      storageUsedPercent: integer(50, 99)
        .prefault(85)
        .meta({ doc: "percent used at which storage alerts fire (MinIO and every PVC)" }),
      replicationLagSeconds: integer(5, 86400)
        .prefault(60)
        .meta({ doc: "seconds of database replica lag that alert" }),
      selectorLabels: selectorLabels().prefault({}).meta({
        doc: "labels the cluster's Prometheus selects monitors and rules by, like {harbor-platform/prometheus: kube-prometheus-stack}",
      }),
    }),
    doc: "Alert tuning and the labels the cluster's Prometheus selects the platform's monitors and rules by.",
    group: OBSERVABILITY,
    defaults: { dev: {}, prod: {} },
  }),
} as const;

export type ObservabilityKeys = typeof OBSERVABILITY_KEYS;
export type LoggingValue = z.output<ObservabilityKeys["logging"]["schema"]>;
export type AlertingValue = z.output<ObservabilityKeys["alerting"]["schema"]>;

/**
 * PEM of one or more CA certificates, parsed by Node's X.509 reader: each block must be a CA
 * (basicConstraints CA:TRUE). It goes to a Secret's file, not into a config line, so its line
 * breaks are fine.
 */
function caCertificates() {
  const allowed = "PEM of the CA certificate(s) that sign the endpoint's certificate";
  return leaf<string>({ type: "PEM", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    const problem = caPemProblem(v);
    return problem === undefined ? v : { refused: problem };
  });
}

// ---------------------------------------------------------------------------------------------
// The credential `logging.credentialsSecret` names, per auth: checked at parse time
// (config/schema/parse.ts checkSecretRefs), its value never shown.

/**
 * Elasticsearch's encoded API key: base64 of `<id>:<api_key>` (the `encoded` field the create
 * API key API returns). Fluent Bit sends it as is after `Authorization: ApiKey `
 * (fluent/fluent-bit v5.1.1 plugins/out_es/es.c, http_api_key).
 */
function elasticsearchApiKey() {
  return leaf<string>(
    {
      type: "secret",
      allowed:
        "Elasticsearch's encoded API key: base64 of <id>:<api_key> (the create API key API's `encoded`)",
    },
    (v) => {
      if (typeof v !== "string") return undefined;
      if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return { refused: "not base64" };
      const decoded = Buffer.from(v, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      return colon > 0 && colon < decoded.length - 1 && !hasControlCharacters(decoded)
        ? v
        : { refused: "it does not decode to <id>:<api_key>" };
    },
  );
}

/** The JSON text of a secret, parsed; never a parse error, which would quote the value. */
const jsonText = (allowed: string) =>
  leaf<unknown>({ type: "JSON", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  });

/**
 * SigV4 keys of an IAM user. IAM's AccessKeyId is 16-128 word characters (IAM API Reference,
 * AccessKey); a temporary key (ASIA...) also needs a session token, which Fluent Bit is not
 * given (components/logging sets only AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
 */
export const SIGV4_KEYS = jsonText('JSON {"accessKeyId": "...", "secretAccessKey": "..."}').pipe(
  section({
    accessKeyId: leaf<string>(
      { type: "string", allowed: "an IAM user's access key ID (AKIA...; 16-128 letters and digits)" },
      (v) => {
        if (typeof v !== "string" || !/^\w{16,128}$/.test(v)) return undefined;
        return v.startsWith("ASIA")
          ? { refused: "a temporary key (ASIA...) needs a session token, which Fluent Bit is not given" }
          : v;
      },
    ),
    secretAccessKey: pattern(/^\S+$/, "the access key's secret, without spaces"),
  }),
);

/** What the secret `logging.credentialsSecret` names must hold, per auth. */
export const LOGGING_CREDENTIAL_FORMATS: Readonly<Record<LogAuth, z.ZodType>> = {
  basic: text("a non-empty password without control characters"),
  apiKey: elasticsearchApiKey(),
  sigv4: SIGV4_KEYS,
};
