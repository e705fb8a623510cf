// What becomes of each resource of the stack when a site is rebuilt without (part of) its
// Pulumi state, and the `pulumi import` that adopts what survived. Pure: the script feeds it
// the resources a preview plans (or the state holds) and the KMS key ids it looked up.

/** One resource as the engine reports it (preview step metadata, or a state entry). */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly custom: boolean;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly parent?: string;
  /** Provider reference `<provider urn>::<provider id>`; absent with a default provider. */
  readonly provider?: string;
}

/**
 * - adopt: lives in AWS, outside the lost site: imported by its id (a create would collide).
 * - rewrite: a setting of an adopted resource whose create is an idempotent PUT (bucket
 *   configuration, inline policies): written again, no collision.
 * - regenerate: secret material only the state knew (random passwords, TLS keys, IAM access
 *   keys, autonamed IAM roles): a new one is made; Harbor's secretKey, admin password and the
 *   database owner password are not among them with `restore.lostState` (they come from config);
 *   and the upgrade gate's record of the deployed chart version, which lives only in the state (the
 *   rebuilt site's first up records it afresh, as a first install).
 * - recreate: lived in the lost cluster (Kubernetes objects, Helm releases): made afresh.
 * - harborApi: Harbor configuration objects; the restored database has them and the dynamic
 *   provider adopts an existing object on 409.
 * - structure: components and providers, made by the program itself.
 */
export type Fate = "adopt" | "rewrite" | "regenerate" | "recreate" | "harborApi" | "structure";

/**
 * Types adopted by id, and the input that is the id (the `Import` section of each type's
 * documentation in @pulumi/aws names it; `keyId` is looked up from the key's alias).
 */
export const ADOPTED: Readonly<Record<string, { readonly idFrom: "bucket" | "name" | "aliasLookup" }>> = {
  "aws:s3/bucket:Bucket": { idFrom: "bucket" },
  "aws:kms/alias:Alias": { idFrom: "name" },
  "aws:kms/key:Key": { idFrom: "aliasLookup" },
  "aws:iam/user:User": { idFrom: "name" },
  "aws:iam/role:Role": { idFrom: "name" },
};

const REWRITTEN = [
  /^aws:s3\/bucket[A-Z][A-Za-z]*:/, // versioning, encryption, policy, lifecycle, replication, object lock...
  /^aws:iam\/(userPolicy|rolePolicy):/,
  /^aws:kms\/keyPolicy:/,
];

export function fateOf(r: Pick<PlannedResource, "type" | "custom" | "inputs">): Fate {
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return "structure";
  if (r.type === "aws:iam/role:Role" && typeof r.inputs.name !== "string") return "regenerate";
  if (ADOPTED[r.type]) return "adopt";
  if (REWRITTEN.some((re) => re.test(r.type))) return "rewrite";
  if (r.type === "aws:iam/accessKey:AccessKey" || /^(random|tls):/.test(r.type)) return "regenerate";
  if (r.type === "pulumi-nodejs:dynamic/upgrade:HarborUpgradeGate") return "regenerate";
  if (r.type.startsWith("kubernetes:")) return "recreate";
  if (r.type.startsWith("pulumi-nodejs:dynamic/harbor:")) return "harborApi";
  throw new Error(
    `${r.type}: no lost-state rule; say in components/dr/site-restore/lost-state.ts whether it is adopted, rewritten, regenerated or recreated`,
  );
}

const providerUrn = (ref: string) => ref.split("::").slice(0, -1).join("::");

/** The region a resource's explicit AWS provider targets (its `region` input). */
export function regionOf(r: PlannedResource, all: readonly PlannedResource[]): string | undefined {
  if (!r.provider) return undefined;
  const p = all.find((x) => x.urn === providerUrn(r.provider as string));
  return typeof p?.inputs.region === "string" ? p.inputs.region : undefined;
}

/** A KMS key's id has to be looked up: by the alias registered beside it (same parent and provider). */
export interface KeyLookup {
  readonly keyUrn: string;
  readonly alias: string;
  readonly region: string;
}

function inRegion(all: readonly PlannedResource[], region: string | undefined) {
  return (r: PlannedResource) => region === undefined || regionOf(r, all) === region;
}

export function keyLookups(all: readonly PlannedResource[], region?: string): KeyLookup[] {
  return all
    .filter((r) => r.type === "aws:kms/key:Key")
    .filter(inRegion(all, region))
    .map((key) => {
      const aliases = all.filter(
        (a) => a.type === "aws:kms/alias:Alias" && a.parent === key.parent && a.provider === key.provider,
      );
      const keyRegion = regionOf(key, all);
      if (aliases.length !== 1 || typeof aliases[0].inputs.name !== "string" || !keyRegion) {
        throw new Error(`${key.urn}: expected one alias beside the key and an explicit regional provider`);
      }
      return { keyUrn: key.urn, alias: aliases[0].inputs.name, region: keyRegion };
    });
}

/** The Automation API's ImportResource (`@pulumi/pulumi/automation`), the fields this plan sets. */
export interface ImportEntry {
  readonly type: string;
  /** How other entries refer to this one (unique: the planned URN). */
  readonly name: string;
  /** The resource's own name in the program. */
  readonly logicalName: string;
  readonly id?: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly component?: boolean;
}

export interface AdoptionPlan {
  /** Providers (and their ancestors) an `up --target` must create first: import cannot create an explicit provider. */
  readonly createFirst: string[];
  /** `stack.import({ resources, nameTable })`: empty components first, then the adopted resources. */
  readonly resources: ImportEntry[];
  readonly nameTable: Record<string, string>;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

const ROOT_TYPE = "pulumi:pulumi:Stack";

/** A resource's ancestors, nearest first, up to (not including) the stack, which every update makes. */
function ancestors(urn: string | undefined, byUrn: ReadonlyMap<string, PlannedResource>): string[] {
  const out: string[] = [];
  for (let u = urn; u && byUrn.has(u) && byUrn.get(u)?.type !== ROOT_TYPE; u = byUrn.get(u)?.parent)
    out.push(u);
  return out;
}

/**
 * The import that adopts the surviving AWS resources of `all` (those in `region` when given:
 * after a region loss only the surviving region's), with their ids from inputs or from
 * `keyIds` (by key URN). `existing` holds URNs already in the state (not created again);
 * `absent` URNs of adoptable resources AWS does not have, which `up` creates instead (after a
 * switch of region the IAM users are named after the new DR bucket, and only the old ones exist).
 */
export function adoptionPlan(
  all: readonly PlannedResource[],
  keyIds: Readonly<Record<string, string>>,
  options: {
    readonly region?: string;
    readonly existing?: ReadonlySet<string>;
    readonly absent?: ReadonlySet<string>;
  } = {},
): AdoptionPlan {
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const existing = options.existing ?? new Set<string>();
  const absent = options.absent ?? new Set<string>();
  const adopted = all
    .filter((r) => fateOf(r) === "adopt" && !absent.has(r.urn))
    .filter(inRegion(all, options.region));
  const providers = [...new Set(adopted.flatMap((r) => (r.provider ? [providerUrn(r.provider)] : [])))];
  const createFirst = [
    ...new Set(providers.flatMap((p) => [...ancestors(byUrn.get(p)?.parent, byUrn).reverse(), p])),
  ].filter((u) => !existing.has(u));
  const madeFirst = new Set([...existing, ...createFirst]);
  // Components on the way to an adopted resource that nothing has made yet: import makes them empty.
  const components = [...new Set(adopted.flatMap((r) => ancestors(r.parent, byUrn).reverse()))].filter(
    (u) => !madeFirst.has(u),
  );
  const nameTable: Record<string, string> = {};
  // A parent that is the stack is left out: import parents to the stack by default.
  const ref = (urn: string | undefined) => {
    if (!urn || byUrn.get(urn)?.type === ROOT_TYPE) return undefined;
    if (madeFirst.has(urn)) nameTable[urn] = urn;
    return urn;
  };
  const resources: ImportEntry[] = [
    ...components.map((u) => {
      const c = byUrn.get(u) as PlannedResource;
      return {
        type: c.type,
        name: u,
        logicalName: nameOf(u),
        component: true,
        ...(ref(c.parent) ? { parent: ref(c.parent) } : {}),
      };
    }),
    ...adopted.map((r) => {
      const rule = ADOPTED[r.type];
      const id = rule.idFrom === "aliasLookup" ? keyIds[r.urn] : r.inputs[rule.idFrom];
      if (typeof id !== "string" || id === "") throw new Error(`${r.urn}: no id to import it by`);
      return {
        type: r.type,
        name: r.urn,
        logicalName: nameOf(r.urn),
        id,
        ...(ref(r.parent) ? { parent: ref(r.parent) } : {}),
        ...(r.provider ? { provider: ref(providerUrn(r.provider)) } : {}),
      };
    }),
  ];
  return { createFirst, resources, nameTable };
}

/** The program's IAM users: their names (what AWS knows them by) and URNs. */
export function iamUserResources(all: readonly PlannedResource[]): { urn: string; name: string }[] {
  return all.flatMap((r) =>
    r.type === "aws:iam/user:User" && typeof r.inputs.name === "string"
      ? [{ urn: r.urn, name: r.inputs.name }]
      : [],
  );
}

/** IAM users of the stack: every access key they hold is the old site's, to fence. */
export function iamUsers(all: readonly PlannedResource[]): string[] {
  return iamUserResources(all).map((u) => u.name);
}

/** Access keys in the state: replaced by the update so the new site holds fresh ones. */
export function accessKeyUrns(all: readonly PlannedResource[]): string[] {
  return all.filter((r) => r.type === "aws:iam/accessKey:AccessKey").map((r) => r.urn);
}

/**
 * What a refresh may read: everything but Harbor's configuration objects, whose provider
 * calls Harbor's API at the lost site's address (it answers again only after the update).
 */
export function refreshTargets(all: readonly PlannedResource[]): string[] {
  return all.filter((r) => r.custom && fateOf(r) !== "harborApi").map((r) => r.urn);
}

/**
 * After a region loss the DR bucket's roles swap (the replica becomes the primary) and the
 * explicit AWS providers change region: every AWS resource leaves the state and what survived
 * is adopted again under its new role (`adoptionPlan`). Refresh could not read the lost region anyway.
 */
export function awsStateUrns(all: readonly PlannedResource[]): string[] {
  return all.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws").map((r) => r.urn);
}

/** A state resource as `pulumi stack export` writes it (apitype.ResourceV3), the fields edited here. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly inputs?: Record<string, unknown>;
  readonly parent?: string;
  readonly provider?: string;
  readonly dependencies?: string[];
  readonly propertyDependencies?: Record<string, string[]>;
  readonly [key: string]: unknown;
}

export interface Deployment {
  readonly version: number;
  readonly deployment: { readonly resources?: StateResource[]; readonly [key: string]: unknown };
}

/**
 * The deployment without `urns`, and without any reference to them left behind (dependencies
 * and property dependencies of what stays): `importStack` refuses a dangling reference.
 */
export function dropFromDeployment(d: Deployment, urns: readonly string[]): Deployment {
  const gone = new Set(urns);
  const resources = (d.deployment.resources ?? [])
    .filter((r) => !gone.has(r.urn))
    .map((r) => {
      if (r.parent && gone.has(r.parent))
        throw new Error(`${r.urn}: its parent ${r.parent} would be dropped`);
      if (r.provider && gone.has(r.provider.split("::").slice(0, -1).join("::"))) {
        throw new Error(`${r.urn}: its provider would be dropped`);
      }
      return {
        ...r,
        ...(r.dependencies ? { dependencies: r.dependencies.filter((u) => !gone.has(u)) } : {}),
        ...(r.propertyDependencies
          ? {
              propertyDependencies: Object.fromEntries(
                Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.filter((u) => !gone.has(u))]),
              ),
            }
          : {}),
      };
    });
  return { ...d, deployment: { ...d.deployment, resources } };
}

/** A resource as the state, a preview's step metadata or the test harness gives it. */
export interface ResourceLike {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly parent?: string;
  readonly provider?: string;
}

/** Resources as the planner reads them. */
export function planned(resources: readonly ResourceLike[]): PlannedResource[] {
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    custom: r.custom ?? false,
    inputs: r.inputs ?? {},
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
  }));
}
