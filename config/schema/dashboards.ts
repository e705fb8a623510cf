// Grafana dashboards for the kube-prometheus-stack sidecar: where their ConfigMap goes and which
// Grafana folder the sidecar files them in.
import { z } from "zod";
import { boolean, k8sName, key, pattern, section } from "./define";

/**
 * The annotation kiwigrid/k8s-sidecar reads for a ConfigMap's target folder when Grafana's chart
 * sets no `sidecar.dashboards.folderAnnotation` (src/sidecar.py, its default since 1.x; the
 * kube-prometheus-stack chart sets none).
 */
export const SIDECAR_FOLDER_ANNOTATION = "k8s-sidecar-target-directory";
export const DEFAULT_DASHBOARD_FOLDER = "Harbor platform";

/** A Kubernetes annotation key: an optional DNS-subdomain prefix and a name of at most 63. */
const ANNOTATION_KEY =
  /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export const DASHBOARD_KEYS = {
  dashboards: key({
    schema: section({
      enabled: boolean().optional().meta({
        doc: "create the dashboards' ConfigMap (and Fluent Bit's chart dashboard)",
        defaultText: "true",
      }),
      namespace: k8sName().optional().meta({
        doc: "namespace of the ConfigMaps (one the Grafana sidecar searches)",
        defaultText: "Harbor's namespace; Fluent Bit's dashboard in its own",
      }),
      folder: pattern(/^[^/\\]{1,100}$/, "a Grafana folder name: 1 to 100 characters, no '/' or '\\'")
        .optional()
        .meta({
          doc: "Grafana folder the sidecar files the dashboards in",
          defaultText: DEFAULT_DASHBOARD_FOLDER,
        }),
      folderAnnotation: pattern(ANNOTATION_KEY, "an annotation key like k8s-sidecar-target-directory")
        .optional()
        .meta({
          doc: "the annotation Grafana's sidecar reads the folder from (its chart's sidecar.dashboards.folderAnnotation)",
          defaultText: SIDECAR_FOLDER_ANNOTATION,
        }),
    }),
    doc: 'Grafana dashboards (ConfigMaps labelled grafana_dashboard: "1") for the parts the topology deploys.',
    group: "Observability",
    defaults: { dev: {}, prod: {} },
  }),
} as const;

export type DashboardsValue = z.output<(typeof DASHBOARD_KEYS)["dashboards"]["schema"]>;

export interface DashboardsConfig {
  readonly enabled: boolean;
  /** Namespace of the ConfigMaps; undefined: Harbor's (and Fluent Bit's own for its chart's). */
  readonly namespace?: string;
  readonly folder: string;
  readonly folderAnnotation: string;
}

export function dashboardsConfig(v: DashboardsValue): DashboardsConfig {
  return {
    enabled: v.enabled ?? true,
    ...(v.namespace ? { namespace: v.namespace } : {}),
    folder: v.folder ?? DEFAULT_DASHBOARD_FOLDER,
    folderAnnotation: v.folderAnnotation ?? SIDECAR_FOLDER_ANNOTATION,
  };
}
