// Grafana dashboard JSON from a small spec: rows of panels, each with PromQL queries. Every panel
// reads the dashboard's `datasource` variable (a Prometheus data source the viewer picks), never
// a data source uid fixed here. The JSON is compact: it is stored in a ConfigMap and in state.

/**
 * The label kube-prometheus-stack's Grafana sidecar loads dashboards by (its values'
 * `grafana.sidecar.dashboards.label`/`labelValue`, searching every namespace).
 */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/** Grafana's own variable for a rate window that fits the scrape interval and the zoom. */
export const RATE_INTERVAL = "$__rate_interval";
export const DATASOURCE_VARIABLE = "datasource";
const DATASOURCE = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` } as const;

export type Unit = "short" | "bytes" | "Bps" | "s" | "percentunit" | "reqps" | "ops";

export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{pod}}`. */
  readonly legend?: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly type?: "timeseries" | "stat";
  readonly unit?: Unit;
  readonly description?: string;
  /** Value from which the panel turns red (an RPO, a backup age). */
  readonly redFrom?: number;
  /** Width out of Grafana's 24 columns (8 by default). */
  readonly width?: number;
  readonly queries: readonly Query[];
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Key of the dashboard in the ConfigMap (`<file>.json`) and part of its uid. */
  readonly file: string;
  readonly title: string;
  readonly rows: readonly RowSpec[];
}

interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

export interface GrafanaTarget {
  readonly refId: string;
  readonly datasource?: unknown;
  readonly expr: string;
  readonly legendFormat?: string;
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: GridPos;
  readonly datasource?: typeof DATASOURCE;
  readonly description?: string;
  readonly targets?: readonly GrafanaTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
  readonly collapsed?: boolean;
  readonly panels?: readonly GrafanaPanel[];
}

export interface GrafanaVariable {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
  readonly query?: unknown;
  readonly datasource?: unknown;
  readonly definition?: string;
  readonly hide?: number;
  readonly current?: unknown;
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags?: readonly string[];
  readonly templating: { readonly list: readonly GrafanaVariable[] };
  readonly panels: readonly GrafanaPanel[];
  readonly [extra: string]: unknown;
}

const HEIGHT = 8;

/** The Grafana JSON of `spec`; panels flow left to right in rows of 24 columns. */
export function grafanaDashboard(spec: DashboardSpec, uid: string, title: string): GrafanaDashboard {
  const panels: GrafanaPanel[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 8;
      if (x + w > 24) {
        x = 0;
        y += HEIGHT;
      }
      panels.push(panel(id++, p, { h: HEIGHT, w, x, y }));
      x += w;
    }
    y += HEIGHT;
  }
  return {
    uid,
    title,
    tags: ["harbor-platform"],
    timezone: "utc",
    schemaVersion: 39,
    editable: false,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        {
          name: DATASOURCE_VARIABLE,
          label: "Data source",
          type: "datasource",
          query: "prometheus",
          hide: 0,
          current: {},
        },
      ],
    },
    panels,
  };
}

function panel(id: number, p: PanelSpec, gridPos: GridPos): GrafanaPanel {
  const type = p.type ?? "timeseries";
  const thresholds =
    p.redFrom === undefined
      ? undefined
      : {
          mode: "absolute",
          steps: [
            { color: "green", value: null },
            { color: "red", value: p.redFrom },
          ],
        };
  // Time series draw the threshold as a line; stats colour their value.
  const custom = thresholds && type === "timeseries" ? { custom: { thresholdsStyle: { mode: "line" } } } : {};
  return {
    id,
    type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DATASOURCE,
    gridPos,
    // Targets inherit the panel's data source.
    targets: p.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      expr: q.expr,
      ...(q.legend ? { legendFormat: q.legend } : {}),
    })),
    fieldConfig: {
      defaults: { unit: p.unit ?? "short", ...(thresholds ? { thresholds } : {}), ...custom },
      overrides: [],
    },
    ...(type === "stat" ? { options: { reduceOptions: { calcs: ["lastNotNull"] } } } : {}),
  };
}

/** Every PromQL expression a dashboard runs: its panels' queries and its query variables'. */
export function dashboardExpressions(d: GrafanaDashboard): string[] {
  const walk = (ps: readonly GrafanaPanel[]): string[] =>
    ps.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr), ...walk(p.panels ?? [])]);
  const variables = d.templating.list
    .filter((v) => v.type === "query")
    .map((v) =>
      typeof v.query === "object" && v.query !== null ? (v.query as { query?: unknown }).query : v.query,
    )
    .filter((q): q is string => typeof q === "string")
    .map(variableQueryExpression);
  // Imported dashboards carry targets without PromQL (rows, expressions of other data sources).
  return [...walk(d.panels), ...variables].filter((e) => typeof e === "string" && e.trim() !== "");
}

/**
 * The PromQL inside a Grafana variable query: `label_values(<selector>, label)` and
 * `query_result(<expr>)` wrap one; `metrics(...)`/`label_names()` read no series.
 */
export function variableQueryExpression(query: string): string {
  const labelValues = /^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  const result = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (result) return result[1];
  if (/^\s*(metrics|label_names|label_values)\(/.test(query)) return "";
  return query;
}
