// The deliberately broken configurations the whole pack must catch, in one table: add a row
// to extend it. A row changes the stack's config (`overrides`, which the program validates)
// where the config can express the breakage; only where the program refuses it (TLS off, a
// chart version range, an unprotected bucket in prod) does a row mutate the registered
// resource list (`mutate`) before the pack sees it.
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
    overrides: { harborConfig: { projects: [{ name: "unlimited", quota: -1 }] } },
    expected: ["harbor-project-quota"],
  },
  {
    name: "an unlimited default project quota",
    stack: "dev",
    overrides: { harborConfig: { settings: { projectQuota: -1 } } },
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
    overrides: { harborConfig: { gc: false } },
    expected: ["harbor-gc-schedule"],
  },
  {
    name: "GC monthly and keeping untagged artifacts",
    stack: "dev",
    overrides: { harborConfig: { gc: { cron: "0 0 3 1 * *", deleteUntagged: false } } },
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
