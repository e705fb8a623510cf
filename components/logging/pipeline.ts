// Pure builders for the Fluent Bit chart: the classic-mode pipeline text and the chart values.
// Credentials never appear here: the output refers to environment variables that the
// DaemonSet fills from a Secret (Fluent Bit substitutes ${VAR} when it loads the config).
import type { LoggingConfig, LogAuth } from "../../config/observability";
import { SIGV4_KEYS } from "../../config/schema/observability";
import { fluentBitProxyEnv, type ProxyConfig } from "../../config/proxy";
import type { DashboardsConfig } from "../../config/schema/dashboards";
import { DASHBOARD_LABEL } from "../monitoring/grafana";

/** Host directory for the filesystem buffer and tail offsets; survives pod restarts. */
export const STATE_DIR = "/var/fluent-bit/state";
export const METRICS_PORT = 2020;
/** Where the ELK endpoint's private CA (logging.caCert) is mounted; read by the output's tls.ca_file. */
export const ELK_CA_DIR = "/fluent-bit/elk-ca";
export const ELK_CA_FILE = `${ELK_CA_DIR}/ca.crt`;

/** Environment variable names per auth kind, each filled from the credentials Secret key of the same name. */
export const CREDENTIAL_ENV: Record<LogAuth, readonly string[]> = {
  basic: ["ELK_PASSWORD"],
  apiKey: ["ELK_API_KEY"],
  // Fluent Bit's AWS provider chain reads these standard variables.
  sigv4: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
};

/** The Secret's data from the stack secret value (see LoggingConfig.credentialsSecret). */
export function credentialSecretData(auth: LogAuth, value: string): Record<string, string> {
  switch (auth) {
    case "basic":
      return { ELK_PASSWORD: value };
    case "apiKey":
      return { ELK_API_KEY: value };
    case "sigv4": {
      // The config checked the secret with the same schema when it was read.
      const keys = SIGV4_KEYS.safeParse(value);
      if (!keys.success) {
        // Never echo the value: it is a secret.
        throw new Error(
          'logging credentials for sigv4 must be JSON {"accessKeyId": "...", "secretAccessKey": "..."}',
        );
      }
      return { AWS_ACCESS_KEY_ID: keys.data.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.data.secretAccessKey };
    }
  }
}

export interface PipelineInput {
  readonly logging: LoggingConfig;
  /** Namespace of Harbor's pods, whose logs get Harbor's parsers. */
  readonly harborNamespace: string;
  readonly logLevel?: "error" | "warn" | "info" | "debug";
}

export interface Pipeline {
  readonly service: string;
  readonly inputs: string;
  readonly filters: string;
  readonly outputs: string;
  readonly customParsers: string;
}

function section(name: string, entries: ReadonlyArray<readonly [string, string | number]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return [`[${name}]`, ...entries.map(([k, v]) => `    ${k.padEnd(width)} ${v}`)].join("\n") + "\n";
}

function authEntries(l: LoggingConfig): Array<[string, string]> {
  switch (l.auth) {
    case "basic":
      return [
        ["HTTP_User", l.username ?? ""],
        ["HTTP_Passwd", "${ELK_PASSWORD}"],
      ];
    case "apiKey":
      // The es plugin's `http_api_key` (keys are case-insensitive): sent as `Authorization: ApiKey`.
      return [["HTTP_API_Key", "${ELK_API_KEY}"]];
    case "sigv4":
      return [
        ["AWS_Auth", "On"],
        ["AWS_Region", l.awsRegion ?? ""],
      ];
  }
}

/** The Fluent Bit configuration sections (chart keys config.service/inputs/filters/outputs/customParsers). */
export function fluentBitPipeline(input: PipelineInput): Pipeline {
  const l = input.logging;
  const harborTag = `kube.*_${input.harborNamespace}_*`;
  const service = section("SERVICE", [
    ["Daemon", "Off"],
    ["Flush", 1],
    ["Log_Level", input.logLevel ?? "info"],
    ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
    ["Parsers_File", "/fluent-bit/etc/conf/custom_parsers.conf"],
    ["HTTP_Server", "On"],
    ["HTTP_Listen", "0.0.0.0"],
    ["HTTP_Port", METRICS_PORT],
    ["Health_Check", "On"],
    // Chunks go to disk first, so an ELK outage fills the host buffer instead of losing logs.
    ["storage.path", `${STATE_DIR}/flb-storage/`],
    ["storage.sync", "normal"],
    ["storage.checksum", "Off"],
    ["storage.backlog.mem_limit", "16M"],
    ["storage.metrics", "On"],
  ]);
  const inputs = section("INPUT", [
    ["Name", "tail"],
    ["Tag", "kube.*"],
    ["Path", "/var/log/containers/*.log"],
    ["multiline.parser", "cri, docker"],
    ["DB", `${STATE_DIR}/tail-containers.db`],
    ["storage.type", "filesystem"],
    ["Mem_Buf_Limit", "50MB"],
    ["Skip_Long_Lines", "On"],
    ["Refresh_Interval", 10],
  ]);
  const filters = [
    section("FILTER", [
      ["Name", "kubernetes"],
      ["Match", "kube.*"],
      ["Merge_Log", "On"],
      ["Keep_Log", "Off"],
      ["Labels", "On"],
      ["Annotations", "Off"],
      ["K8S-Logging.Parser", "On"],
      ["K8S-Logging.Exclude", "On"],
    ]),
    // Harbor's components log text lines: time, level, source location, optional fields, message.
    // The registry (distribution) logs logfmt. Both are split into searchable fields.
    section("FILTER", [
      ["Name", "parser"],
      ["Match", harborTag],
      ["Key_Name", "log"],
      ["Parser", "harbor"],
      ["Parser", "harbor_registry"],
      ["Reserve_Data", "On"],
    ]),
    // "failed to authenticate user:<name>" and similar lines name the user.
    section("FILTER", [
      ["Name", "parser"],
      ["Match", harborTag],
      ["Key_Name", "message"],
      ["Parser", "harbor_user"],
      ["Reserve_Data", "On"],
      ["Preserve_Key", "On"],
    ]),
    // Registry request logs carry the repository as vars.name = <project>/<repository>.
    section("FILTER", [
      ["Name", "parser"],
      ["Match", harborTag],
      ["Key_Name", "vars.name"],
      ["Parser", "harbor_repository"],
      ["Reserve_Data", "On"],
      ["Preserve_Key", "On"],
    ]),
  ].join("");
  const common: Array<[string, string | number]> = [
    ["Match", "kube.*"],
    ["Host", l.host],
    ["Port", l.port],
    ...(l.path ? ([["Path", l.path]] as Array<[string, string]>) : []),
    ["Logstash_Format", "On"],
    ["Logstash_Prefix", l.index],
    ["Suppress_Type_Name", "On"],
    ["Replace_Dots", "On"],
    ["Trace_Error", "On"],
    ...authEntries(l),
    ["tls", "On"],
    ["tls.verify", "On"],
    ["tls.verify_hostname", "On"],
    // A private CA replaces the system roots for this output (flb_output.c tls.ca_file).
    ...(l.caCert ? ([["tls.ca_file", ELK_CA_FILE]] as Array<[string, string]>) : []),
    // Retries never give up; the disk buffer below is the bound on what an outage may hold.
    ["Retry_Limit", "no_limits"],
    ["storage.total_limit_size", l.bufferLimitBytes],
  ];
  const outputs = section("OUTPUT", [["Name", l.output], ...common]);
  const customParsers = [
    section("PARSER", [
      ["Name", "harbor"],
      ["Format", "regex"],
      [
        "Regex",
        "^(?<time>\\d{4}-\\d{2}-\\d{2}T[^ ]+) \\[(?<level>[A-Z]+)\\] \\[(?<source>[^\\]]+)\\](?:\\[(?<fields>[^\\]]*)\\])?: (?<message>.*)$",
      ],
      ["Time_Key", "time"],
      ["Time_Format", "%Y-%m-%dT%H:%M:%S%z"],
      ["Time_Keep", "On"],
    ]),
    section("PARSER", [
      ["Name", "harbor_registry"],
      ["Format", "logfmt"],
      ["Logfmt_No_Bare_Keys", "On"],
    ]),
    section("PARSER", [
      ["Name", "harbor_user"],
      ["Format", "regex"],
      ["Regex", '(?:user|username|user name)[: =]+"?(?<user>[^\\s,"]+)'],
    ]),
    section("PARSER", [
      ["Name", "harbor_repository"],
      ["Format", "regex"],
      ["Regex", "^(?<project>[^/]+)/(?<repository>.+)$"],
    ]),
  ].join("");
  return { service, inputs, filters, outputs, customParsers };
}

export interface FluentBitValuesInput extends PipelineInput {
  /** Secret holding the credential env variables (CREDENTIAL_ENV[auth]). */
  readonly credentialsSecretName: string;
  /**
   * Labels of the chart's ServiceMonitor, so the cluster's Prometheus selects it; unset where
   * the cluster runs no prometheus-operator (dev without it): no ServiceMonitor then, whose
   * kind the API server would not know.
   */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /** Secret (key ca.crt) with logging.caCert, mounted at ELK_CA_DIR; set when caCert is. */
  readonly caSecretName?: string;
  /** The corporate proxy: Fluent Bit's own reading of it (fluentBitProxyEnv). */
  readonly proxy?: ProxyConfig;
  /** Turns on the chart's own Grafana dashboard (it passes the platform's metric check). */
  readonly dashboards?: DashboardsConfig;
}

/**
 * The chart's dashboard ConfigMap (fluent-bit 0.58.1 templates/configmap-dashboards.yaml): the
 * sidecar's label, the folder annotation, a uid that stays the same across installs.
 */
export function fluentBitDashboardValues(d: DashboardsConfig): Record<string, unknown> {
  return {
    enabled: true,
    labelKey: Object.keys(DASHBOARD_LABEL)[0],
    labelValue: Object.values(DASHBOARD_LABEL)[0],
    annotations: { [d.folderAnnotation]: d.folder },
    ...(d.namespace ? { namespace: d.namespace } : {}),
    deterministicUid: true,
  };
}

/** Values for chart fluent-bit 0.58.1 (paths as in its values.yaml). */
export function fluentBitValues(input: FluentBitValuesInput): Record<string, unknown> {
  const p = fluentBitPipeline(input);
  return {
    kind: "DaemonSet",
    // Every node, whatever its taints: logs of control-plane and dedicated nodes matter too.
    tolerations: [{ operator: "Exists" }],
    testFramework: { enabled: false },
    env: [
      ...CREDENTIAL_ENV[input.logging.auth].map((name) => ({
        name,
        valueFrom: { secretKeyRef: { name: input.credentialsSecretName, key: name } },
      })),
      ...(input.proxy ? fluentBitProxyEnv(input.proxy) : []),
    ],
    extraVolumes: [
      { name: "state", hostPath: { path: STATE_DIR, type: "DirectoryOrCreate" } },
      ...(input.caSecretName ? [{ name: "elk-ca", secret: { secretName: input.caSecretName } }] : []),
    ],
    extraVolumeMounts: [
      { name: "state", mountPath: STATE_DIR },
      ...(input.caSecretName ? [{ name: "elk-ca", mountPath: ELK_CA_DIR, readOnly: true }] : []),
    ],
    metricsPort: METRICS_PORT,
    serviceMonitor: input.serviceMonitorLabels
      ? { enabled: true, selector: { ...input.serviceMonitorLabels } }
      : { enabled: false },
    ...(input.dashboards ? { dashboards: fluentBitDashboardValues(input.dashboards) } : {}),
    config: {
      service: p.service,
      inputs: p.inputs,
      filters: p.filters,
      outputs: p.outputs,
      customParsers: p.customParsers,
    },
  };
}
