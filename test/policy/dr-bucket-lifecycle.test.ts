import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { drBucketLifecycle } from "../../policy/policies/dr-bucket-lifecycle";
import { bucketPart, check, compliantBucket } from "./helpers";

// The compliant bucket without one kind of sub-resource (DR is its bucket).
const withoutPart = (type: string) => compliantBucket("dr", [type]);
const [DR] = compliantBucket("dr");

const withRules = (rules: unknown[]) => [
  ...withoutPart(TYPES.bucketLifecycle),
  bucketPart(DR, TYPES.bucketLifecycle, { rules }),
];

describe("policy dr-bucket-lifecycle", () => {
  it("passes a lifecycle that expires noncurrent versions and aborts uploads", async () => {
    expect(await check(drBucketLifecycle, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without a lifecycle", async () => {
    expect(await check(drBucketLifecycle, compliantBucket("dr", [TYPES.bucketLifecycle]))).to.have.length(2);
  });
  it("fails a lifecycle without noncurrent version expiration", async () => {
    const found = await check(
      drBucketLifecycle,
      withRules([{ id: "a", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }]),
    );
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/noncurrent/);
  });
  it("fails a lifecycle without aborting incomplete uploads", async () => {
    const found = await check(
      drBucketLifecycle,
      withRules([{ id: "a", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } }]),
    );
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/incomplete/);
  });
  it("fails when the rules are disabled", async () => {
    const found = await check(
      drBucketLifecycle,
      withRules([
        {
          id: "a",
          status: "Disabled",
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ]),
    );
    expect(found).to.have.length(2);
  });
});
