// Which of a chart's values turn on a Prometheus Operator object, whatever the chart calls it.
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const MONITOR = /^(service|pod)monitor(enabled)?$/i;
const RULE = /^prometheusrules?(enabled)?$/i;

/** Value keys matching `kind` that are on: `{kind: {enabled: true}}` or `kindEnabled: true`. */
function switches(values: unknown, kind: RegExp, prefix: string): string[] {
  if (!isObj(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    const m = kind.exec(key);
    const switched = m && (m[m.length - 1] ? value === true : isObj(value) && value.enabled === true);
    return [...(switched ? [here] : []), ...switches(value, kind, here)];
  });
}

/** Value keys that turn a chart's monitor on: `serviceMonitor.enabled`, `podMonitorEnabled`... */
export const monitorSwitches = (values: unknown): string[] => switches(values, MONITOR, "");

/** Value keys that turn a chart's PrometheusRule on: `prometheusRule.enabled`... */
export const ruleSwitches = (values: unknown): string[] => switches(values, RULE, "");
