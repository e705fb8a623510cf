import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { s3BucketEncrypted } from "../../policy/policies/s3-bucket-encrypted";
import { check, compliantBucket, resource } from "./helpers";

describe("policy s3-bucket-encrypted", () => {
  it("passes SSE-KMS", async () => {
    expect(await check(s3BucketEncrypted, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without default encryption", async () => {
    expect(await check(s3BucketEncrypted, compliantBucket("dr", [TYPES.bucketSse]))).to.have.length(1);
  });
  it("fails an encryption config without a default algorithm", async () => {
    const rs = [
      ...compliantBucket("dr", [TYPES.bucketSse]),
      resource(TYPES.bucketSse, { bucket: "dr-bucket", rules: [{ bucketKeyEnabled: true }] }),
    ];
    expect(await check(s3BucketEncrypted, rs)).to.have.length(1);
  });
});
