// Keys of operators the cluster already runs: the program uses them instead of installing its own
// copies (whose CRDs and Helm ownership would collide) and installs only what is missing.
import { boolean, k8sName, k8sSubdomain, key, oneOf, section } from "./define";

const GROUP = "Existing operators";

export const OPERATOR_KEYS = {
  existingOperators: key({
    schema: section({
      certManager: section({
        namespace: k8sName().optional().meta({
          doc: "namespace cert-manager runs in, where its ClusterIssuers read their Secrets (prod puts the project CA there)",
          defaultText: "cert-manager",
        }),
        clusterIssuer: k8sSubdomain("a ClusterIssuer name (lower-case DNS subdomain)").optional().meta({
          doc: "ClusterIssuer of Harbor's public certificate (dev: its server certificate); internal certificates stay on the project CA",
        }),
      })
        .optional()
        .meta({ doc: "use the cluster's cert-manager" }),
      cloudnativePg: section({
        namespace: k8sName().meta({ doc: "namespace the CloudNativePG operator runs in" }),
        barmanCloudPlugin: oneOf(["existing", "install"] as const)
          .optional()
          .meta({
            doc: "whether the barman-cloud plugin already runs in that namespace or the program installs it there",
            defaultText: "existing",
          }),
      })
        .optional()
        .meta({ doc: "prod: use the cluster's CloudNativePG operator" }),
      velero: section({
        namespace: k8sName().meta({ doc: "namespace Velero (with velero-plugin-for-aws) runs in" }),
      })
        .optional()
        .meta({
          doc: "prod: use the cluster's Velero; the program adds its own backup location and schedule",
        }),
      prometheusOperator: boolean().optional().meta({
        doc: "the cluster runs prometheus-operator (its CRDs are checked before anything is created); dev turns on Harbor's ServiceMonitor",
        defaultText: "dev false, prod true (required)",
      }),
    }),
    doc: "Operators the cluster already runs: each one named is used and checked before anything is created, the rest are installed.",
    group: GROUP,
    defaults: { dev: {}, prod: {} },
  }),
} as const;
