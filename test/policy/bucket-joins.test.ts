// The S3 stack policies find a bucket's sub-resources by the engine's property dependencies
// (`bucket` input computed from the bucket), so a new stack's first preview, where the
// sub-resources' `bucket` (the new bucket's id) is unknown, still judges every bucket.
import { expect } from "chai";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackResource } from "../../policy/lib/engine";
import { TYPES } from "../../policy/lib/resources";
import { drBucketLifecycle } from "../../policy/policies/dr-bucket-lifecycle";
import { s3BucketEncrypted } from "../../policy/policies/s3-bucket-encrypted";
import { s3BucketNotPublic } from "../../policy/policies/s3-bucket-not-public";
import { s3BucketTlsOnly } from "../../policy/policies/s3-bucket-tls-only";
import { s3BucketVersioned } from "../../policy/policies/s3-bucket-versioned";
import { compliantBucket, runFull } from "./helpers";

/** Each bucket policy and the sub-resource kind it reads. */
const JOINED: ReadonlyArray<[StackValidationPolicy, string]> = [
  [s3BucketVersioned, TYPES.bucketVersioning],
  [s3BucketEncrypted, TYPES.bucketSse],
  [s3BucketNotPublic, TYPES.bucketPublicAccessBlock],
  [s3BucketTlsOnly, TYPES.bucketPolicy],
  [drBucketLifecycle, TYPES.bucketLifecycle],
];

/** As a first preview sends them: every sub-resource's `bucket` (the bucket's id) unknown. */
const firstPreview = (rs: PackResource[]) =>
  rs.map((r) => (r.propertyDependencies?.bucket ? { ...r, props: { ...r.props, bucket: unknownValue } } : r));

/** The sub-resources name the bucket's id but do not depend on it (a literal, not the bucket's output). */
const unlinked = (rs: PackResource[]) => rs.map((r) => ({ ...r, propertyDependencies: {} }));

describe("S3 policies join sub-resources to buckets by property dependencies", () => {
  for (const [policy, part] of JOINED) {
    describe(policy.name, () => {
      it("judges a new bucket in a first preview (ids unknown): compliant passes", async () => {
        expect(await runFull(policy, firstPreview(compliantBucket()))).to.deep.equal([]);
      });

      it("judges a new bucket in a first preview: the missing sub-resource is a violation", async () => {
        const found = await runFull(policy, firstPreview(compliantBucket("dr", [part])));
        expect(found.length).to.be.greaterThan(0);
        expect(found.filter((v) => v.blind)).to.deep.equal([]);
      });

      it("does not count a sub-resource that names the bucket's id without depending on it", async () => {
        expect((await runFull(policy, unlinked(compliantBucket()))).length).to.be.greaterThan(0);
      });
    });
  }
});
