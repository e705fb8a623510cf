// Checks that what `existingOperators` says the cluster runs is there, read from the cluster before
// anything is created: each CustomResourceDefinition the program's resources need (served at the
// version it writes, with the fields and values it sets), and a named ClusterIssuer (Ready).
// Reads run during previews (pulumi v3.248.0 pkg/resource/deploy/step.go ReadStep.Apply: "Unlike
// most steps, Read steps run during previews") and `pulumi up` previews first: a missing CRD
// fails there with the engine's one line ("resource '<name>' does not exist", same file), a CRD
// that cannot hold what the program writes with this module's one line naming the config key.
// `pulumi up --skip-preview` (pulumi/actions' `up`) runs the checks beside the creates, hence the
// deploy workflow's preview step. Resources that use an operator wait for its reads (dependsOn).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ExistingOperators } from "../../config";

export interface CrdRequirement {
  /** `<plural>.<group>`: the CustomResourceDefinition's name. */
  readonly crd: string;
  /** The version the program writes (apiVersion `<group>/<version>`). */
  readonly version: string;
  /**
   * Schema paths the program sets, dotted from the top (`spec.plugins`); `path=value` also needs
   * `value` among the field's enum (`spec.method=plugin`).
   */
  readonly fields?: readonly string[];
}

/** What the program creates with each operator, and what of their CRDs it relies on. */
export const OPERATOR_CRDS = {
  certManager: [
    { crd: "certificates.cert-manager.io", version: "v1" },
    { crd: "clusterissuers.cert-manager.io", version: "v1" },
  ],
  // Plugin backups: spec.plugins on the Cluster and method plugin on (Scheduled)Backups, which
  // CloudNativePG 1.30's CRDs carry (cloudnative-pg-crds).
  cloudnativePg: [
    { crd: "clusters.postgresql.cnpg.io", version: "v1", fields: ["spec.plugins"] },
    {
      crd: "backups.postgresql.cnpg.io",
      version: "v1",
      fields: ["spec.method=plugin", "spec.pluginConfiguration"],
    },
    { crd: "scheduledbackups.postgresql.cnpg.io", version: "v1", fields: ["spec.method=plugin"] },
  ],
  barmanCloudPlugin: [{ crd: "objectstores.barmancloud.cnpg.io", version: "v1" }],
  // The program's own backup location carries its credentials (spec.credential).
  velero: [
    { crd: "backupstoragelocations.velero.io", version: "v1", fields: ["spec.credential"] },
    { crd: "schedules.velero.io", version: "v1" },
  ],
  prometheusOperator: [
    { crd: "servicemonitors.monitoring.coreos.com", version: "v1" },
    { crd: "podmonitors.monitoring.coreos.com", version: "v1" },
    { crd: "prometheusrules.monitoring.coreos.com", version: "v1" },
  ],
} as const satisfies Record<string, readonly CrdRequirement[]>;

interface SchemaNode {
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly enum?: readonly unknown[];
}

/** The parts of a CustomResourceDefinition the check reads. */
export interface CrdLike {
  readonly spec?: {
    readonly versions?: readonly {
      readonly name?: string;
      readonly served?: boolean;
      readonly schema?: { readonly openAPIV3Schema?: SchemaNode };
    }[];
  };
}

/** Why a CRD cannot hold what the program writes, or undefined when it can. */
export function crdProblem(crd: CrdLike, req: CrdRequirement): string | undefined {
  const version = (crd.spec?.versions ?? []).find((v) => v.name === req.version);
  if (!version?.served)
    return `the cluster's ${req.crd} does not serve ${req.version} (it serves ${
      (crd.spec?.versions ?? [])
        .filter((v) => v.served)
        .map((v) => v.name)
        .join(", ") || "nothing"
    })`;
  for (const field of req.fields ?? []) {
    const [path, value] = field.split("=");
    let node: SchemaNode | undefined = version.schema?.openAPIV3Schema;
    for (const part of path.split(".")) node = node?.properties?.[part];
    if (!node)
      return `the cluster's ${req.crd} has no ${path}: its operator is older than this program needs`;
    if (value !== undefined && !(node.enum ?? []).includes(value))
      return `the cluster's ${req.crd} does not allow ${path}: ${value}: its operator is older than this program needs`;
  }
  return undefined;
}

/** Why a ClusterIssuer cannot issue, or undefined when it is Ready. */
export function issuerProblem(
  name: string,
  status:
    { readonly conditions?: readonly { type?: string; status?: string; message?: string }[] } | undefined,
): string | undefined {
  const ready = (status?.conditions ?? []).find((c) => c.type === "Ready");
  if (ready?.status === "True") return undefined;
  return `ClusterIssuer ${name} is not Ready${ready?.message ? `: ${ready.message}` : ""}`;
}

export interface PreflightArgs {
  /** Per config key (`existingOperators.cloudnativePg`), the CRDs it relies on. */
  readonly crds: Readonly<Record<string, readonly CrdRequirement[]>>;
  /** A ClusterIssuer that must exist and be Ready, and the key that named it. */
  readonly clusterIssuer?: { readonly name: string; readonly key: string };
  readonly provider?: k8s.Provider;
}

/**
 * The reads and their checks; `reads[key]` are what resources relying on that key's operator wait
 * for.
 */
export class Preflight extends pulumi.ComponentResource {
  readonly reads: Readonly<Record<string, pulumi.Resource[]>>;
  /** One per check: what it verified, or a rejection with its one-line ResourceError. */
  readonly verified: readonly pulumi.Output<string>[];

  constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:platform:Preflight", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const reads: Record<string, pulumi.Resource[]> = {};
    const checks: pulumi.Output<string>[] = [];
    for (const [key, requirements] of Object.entries(args.crds)) {
      reads[key] = requirements.map((req) => {
        const crd = k8s.apiextensions.v1.CustomResourceDefinition.get(
          `${name}-${req.crd}`,
          req.crd,
          childOpts,
        );
        checks.push(
          crd.spec.apply((spec) => {
            const problem = crdProblem({ spec: spec as CrdLike["spec"] }, req);
            if (problem) throw new pulumi.ResourceError(`${key}: ${problem}`, crd, true);
            return req.crd;
          }),
        );
        return crd;
      });
    }
    const issuer = args.clusterIssuer;
    if (issuer) {
      // A read (the `id` option) of the ClusterIssuer, with `status` among its outputs
      // (CustomResource.get would give only apiVersion and kind).
      const read = new k8s.apiextensions.CustomResource(
        `${name}-cluster-issuer-${issuer.name}`,
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", status: undefined },
        { ...childOpts, id: issuer.name },
      );
      checks.push(
        (read as unknown as { status: pulumi.Output<Parameters<typeof issuerProblem>[1]> }).status.apply(
          (status) => {
            const problem = issuerProblem(issuer.name, status);
            if (problem) throw new pulumi.ResourceError(`${issuer.key}: ${problem}`, read, true);
            return issuer.name;
          },
        ),
      );
      reads[issuer.key] = [read];
    }
    this.reads = reads;
    // Left unconsumed on purpose: a failed check reaches the runtime's unhandled-rejection handler,
    // which prints a ResourceError's message as one line on its resource and fails the program
    // (@pulumi/pulumi 3.248 cmd/run/run.js uncaughtHandler). Consumed by an input or an output
    // it would come wrapped in "error serializing property" with a stack.
    this.verified = checks;
    this.registerOutputs({});
  }
}

/** What `existingOperators` asks the preflight to check, keyed by the config path that assumes it. */
export function existingOperatorChecks(
  existing: ExistingOperators,
): Pick<PreflightArgs, "crds" | "clusterIssuer"> {
  const key = "existingOperators";
  const crds: Record<string, readonly CrdRequirement[]> = {};
  if (existing.certManager) crds[`${key}.certManager`] = OPERATOR_CRDS.certManager;
  if (existing.cloudnativePg)
    crds[`${key}.cloudnativePg`] = [
      ...OPERATOR_CRDS.cloudnativePg,
      // A plugin the cluster runs already brings its ObjectStore CRD; one the program adds, its own.
      ...(existing.cloudnativePg.installPlugin ? [] : OPERATOR_CRDS.barmanCloudPlugin),
    ];
  if (existing.velero) crds[`${key}.velero`] = OPERATOR_CRDS.velero;
  if (existing.prometheusOperator) crds[`${key}.prometheusOperator`] = OPERATOR_CRDS.prometheusOperator;
  const issuer = existing.certManager?.clusterIssuer;
  return {
    crds,
    ...(issuer ? { clusterIssuer: { name: issuer, key: `${key}.certManager.clusterIssuer` } } : {}),
  };
}

/** The reads resources relying on `keys` wait for. */
export function readsFor(preflight: Preflight | undefined, ...keys: string[]): pulumi.Resource[] {
  return keys.flatMap((k) => preflight?.reads[`existingOperators.${k}`] ?? []);
}
