import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { s3BucketTlsOnly } from "../../policy/policies/s3-bucket-tls-only";
import { bucketPart, check, compliantBucket } from "./helpers";

// The compliant bucket without one kind of sub-resource (DR is its bucket).
const withoutPart = (type: string) => compliantBucket("dr", [type]);
const [DR] = compliantBucket("dr");

describe("policy s3-bucket-tls-only", () => {
  it("passes a bucket whose policy denies insecure transport", async () => {
    expect(await check(s3BucketTlsOnly, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without a bucket policy", async () => {
    expect(await check(s3BucketTlsOnly, compliantBucket("dr", [TYPES.bucketPolicy]))).to.have.length(1);
  });
  it("fails a bucket policy that does not deny non-TLS requests", async () => {
    const rs = [
      ...withoutPart(TYPES.bucketPolicy),
      bucketPart(DR, TYPES.bucketPolicy, {
        policy: { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] },
      }),
    ];
    expect((await check(s3BucketTlsOnly, rs))[0]).to.match(/SecureTransport/);
  });
});
