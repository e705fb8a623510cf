import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { s3BucketEncrypted } from "../../policy/policies/s3-bucket-encrypted";
import { bucketPart, check, compliantBucket } from "./helpers";

// The compliant bucket without one kind of sub-resource (DR is its bucket).
const withoutPart = (type: string) => compliantBucket("dr", [type]);
const [DR] = compliantBucket("dr");

describe("policy s3-bucket-encrypted", () => {
  it("passes SSE-KMS", async () => {
    expect(await check(s3BucketEncrypted, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without default encryption", async () => {
    expect(await check(s3BucketEncrypted, compliantBucket("dr", [TYPES.bucketSse]))).to.have.length(1);
  });
  it("fails an encryption config without a default algorithm", async () => {
    const rs = [
      ...withoutPart(TYPES.bucketSse),
      bucketPart(DR, TYPES.bucketSse, { rules: [{ bucketKeyEnabled: true }] }),
    ];
    expect(await check(s3BucketEncrypted, rs)).to.have.length(1);
  });
});
