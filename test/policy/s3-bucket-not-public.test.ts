import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { s3BucketNotPublic } from "../../policy/policies/s3-bucket-not-public";
import { bucketPart, check, compliantBucket } from "./helpers";

// The compliant bucket without one kind of sub-resource (DR is its bucket).
const withoutPart = (type: string) => compliantBucket("dr", [type]);
const [DR] = compliantBucket("dr");

describe("policy s3-bucket-not-public", () => {
  it("passes a bucket with every public access block on", async () => {
    expect(await check(s3BucketNotPublic, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without a public access block", async () => {
    expect(
      await check(s3BucketNotPublic, compliantBucket("dr", [TYPES.bucketPublicAccessBlock])),
    ).to.have.length(1);
  });
  it("fails a public access block with one switch off", async () => {
    const rs = [
      ...withoutPart(TYPES.bucketPublicAccessBlock),
      bucketPart(DR, TYPES.bucketPublicAccessBlock, {
        blockPublicAcls: true,
        blockPublicPolicy: false,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
    ];
    expect(await check(s3BucketNotPublic, rs)).to.have.length(1);
  });
  it("fails a public-read ACL", async () => {
    const [bucket, ...rest] = compliantBucket();
    const rs = [{ ...bucket, props: { ...bucket.props, acl: "public-read" } }, ...rest];
    expect((await check(s3BucketNotPublic, rs))[0]).to.match(/public-read/);
  });
});
