// The deliberately broken configurations the whole pack must catch, in one table: add a row
// to extend it. A row changes the stack's config (`overrides`, which the program validates)
// where the config can express the breakage; where the program refuses it (TLS off, a chart
// version range, an unprotected bucket in prod, and what the config refuses because the pack
// would: unlimited Harbor quotas, GC missing, rare or keeping untagged artifacts; see
// test/config/parse.test.ts) a row mutates the registered resource list (`mutate`) before the
// pack sees it, so the pack is still proven to catch what reaches it by another way.
import { FIELDS, HARBOR_TYPES } from "../../policy/lib/harbor-resources";
import { TYPES } from "../../policy/lib/resources";
import type { PackResource } from "../../policy/lib/engine";
import { bucketPart, resource } from "./helpers";
import type { ConfigOverrides } from "../harness";
import type { Mutation } from "./stack-runs";

export interface BrokenConfig {
  readonly name: string;
  readonly stack: "dev" | "prod";
  readonly overrides?: ConfigOverrides;
  readonly mutate?: Mutation;
  /** Policies whose mandatory violations the breakage adds, exactly (sorted). */
  readonly expected: readonly string[];
}

type Values = Record<string, Record<string, unknown>>;

/** Edits the Harbor release's values (a deep copy). */
function harborValues(edit: (values: Values) => void): Mutation {
  return (rs) =>
    rs.map((r) => {
      if (r.type !== TYPES.release || r.props.chart !== "harbor") return r;
      const values = structuredClone(r.props.values) as Values;
      edit(values);
      return { ...r, props: { ...r.props, values } };
    });
}

/** Edits the props of the registered Harbor resources of `type` (a copy). */
function harborProps(type: string, edit: (props: Record<string, unknown>) => void): Mutation {
  return (rs) =>
    rs.map((r) => {
      if (r.type !== type) return r;
      const props = structuredClone(r.props);
      edit(props);
      return { ...r, props };
    });
}

function bucket(protect: boolean): PackResource[] {
  const dr = resource(TYPES.bucketV2, { bucket: "harbor-dr" }, { name: "dr", protect });
  return [
    dr,
    bucketPart(dr, TYPES.bucketVersioning, { versioningConfiguration: { status: "Enabled" } }),
    bucketPart(dr, TYPES.bucketSse, {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
    }),
    bucketPart(dr, TYPES.bucketPublicAccessBlock, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    bucketPart(dr, TYPES.bucketPolicy, {
      policy: JSON.stringify({
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    }),
    bucketPart(dr, TYPES.bucketLifecycle, {
      rules: [
        {
          id: "dr",
          status: "Enabled",
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    }),
  ];
}

export const BROKEN_CONFIGS: readonly BrokenConfig[] = [
  {
    name: "TLS off (Harbor served over http)",
    stack: "dev",
    mutate: harborValues((v) => {
      v.expose.tls = { enabled: false };
      (v as Record<string, unknown>).externalURL = "http://harbor.dev.example.com";
    }),
    expected: ["harbor-tls-exposure"],
  },
  {
    name: "a Harbor project with an unlimited quota",
    stack: "dev",
    overrides: { harborConfig: { projects: [{ name: "unlimited" }] } },
    mutate: harborProps(HARBOR_TYPES.project, (p) => {
      p[FIELDS.projectStorageLimit] = -1;
    }),
    expected: ["harbor-project-quota"],
  },
  {
    name: "an unlimited default project quota",
    stack: "dev",
    mutate: harborProps(HARBOR_TYPES.systemSettings, (p) => {
      (p[FIELDS.systemValues] as Record<string, unknown>)[FIELDS.systemStoragePerProject] = -1;
    }),
    expected: ["harbor-default-quota"],
  },
  {
    name: "the namespace's ResourceQuota removed",
    stack: "dev",
    mutate: (rs) => rs.filter((r) => r.type !== TYPES.resourceQuota),
    expected: ["namespace-resource-quota"],
  },
  {
    name: "GC removed",
    stack: "dev",
    mutate: (rs) => rs.filter((r) => r.type !== HARBOR_TYPES.gcSchedule),
    expected: ["harbor-gc-schedule"],
  },
  {
    name: "GC monthly and keeping untagged artifacts",
    stack: "dev",
    mutate: harborProps(HARBOR_TYPES.gcSchedule, (p) => {
      p[FIELDS.gcCron] = "0 0 3 1 * *";
      p[FIELDS.gcDeleteUntagged] = false;
    }),
    expected: ["harbor-gc-schedule"],
  },
  {
    name: "upload purging off",
    stack: "dev",
    mutate: harborValues((v) => {
      v.registry.upload_purging = { enabled: false };
    }),
    expected: ["harbor-upload-purging"],
  },
  {
    // The stack config refuses such a value (caValidityDays stops at the policy's limit), so
    // the registered CA is changed instead.
    name: "a root CA valid for 100 years",
    stack: "dev",
    mutate: (rs) =>
      rs.map((r) =>
        r.type === TYPES.selfSignedCert
          ? { ...r, props: { ...r.props, validityPeriodHours: 36500 * 24 } }
          : r,
      ),
    expected: ["certificate-lifetime"],
  },
  {
    name: "an unprotected DR bucket in prod",
    stack: "prod",
    // The real registered DR bucket (and its replica), with protect switched off.
    mutate: (rs) => rs.map((r) => (r.type === TYPES.bucket ? { ...r, protect: false } : r)),
    expected: ["data-resources-protected"],
  },
  {
    name: "Harbor chart version as a range in prod",
    stack: "prod",
    mutate: (rs) =>
      rs.map((r) => (r.type === TYPES.release ? { ...r, props: { ...r.props, version: "^1.19.0" } } : r)),
    expected: ["helm-chart-version-pinned"],
  },
];

/** The same bucket, compliant: adding it must not add any mandatory violation. */
export const PROTECTED_BUCKET = bucket(true);
