// Every policy of the pack, in the order they are reported. One policy per file.
import type { Policies } from "@pulumi/policy";
import { certificateLifetime } from "./certificate-lifetime";
import { dataResourcesProtected } from "./data-resources-protected";
import { drBucketLifecycle } from "./dr-bucket-lifecycle";
import { harborDatabaseTls } from "./harbor-database-tls";
import { harborDefaultQuota } from "./harbor-default-quota";
import { harborGcSchedule } from "./harbor-gc-schedule";
import { harborInternalTls } from "./harbor-internal-tls";
import { harborProjectQuota } from "./harbor-project-quota";
import { harborTlsExposure } from "./harbor-tls-exposure";
import { harborUploadPurging } from "./harbor-upload-purging";
import { helmChartVersionPinned } from "./helm-chart-version-pinned";
import { helmValuesNoPlainSecrets } from "./helm-values-no-plain-secrets";
import { imageTagPinned } from "./image-tag-pinned";
import { kmsKeyRotation } from "./kms-key-rotation";
import { logShippingTls } from "./log-shipping-tls";
import { namespaceResourceQuota } from "./namespace-resource-quota";
import { s3BucketEncrypted } from "./s3-bucket-encrypted";
import { s3BucketNotPublic } from "./s3-bucket-not-public";
import { s3BucketTlsOnly } from "./s3-bucket-tls-only";
import { s3BucketVersioned } from "./s3-bucket-versioned";
import { tlsKeyStrength } from "./tls-key-strength";

export const policies: Policies = [
  // TLS
  harborTlsExposure,
  harborInternalTls,
  harborDatabaseTls,
  s3BucketTlsOnly,
  logShippingTls,
  tlsKeyStrength,
  certificateLifetime,
  // Quotas
  harborProjectQuota,
  harborDefaultQuota,
  namespaceResourceQuota,
  // Garbage collection
  harborGcSchedule,
  harborUploadPurging,
  drBucketLifecycle,
  // Data safety (advisory in dev, mandatory in prod)
  dataResourcesProtected,
  s3BucketVersioned,
  s3BucketEncrypted,
  s3BucketNotPublic,
  kmsKeyRotation,
  helmChartVersionPinned,
  imageTagPinned,
  helmValuesNoPlainSecrets,
];
