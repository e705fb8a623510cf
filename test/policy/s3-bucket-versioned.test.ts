import { expect } from "chai";
import { TYPES } from "../../policy/lib/resources";
import { s3BucketVersioned } from "../../policy/policies/s3-bucket-versioned";
import { bucketPart, check, compliantBucket } from "./helpers";

// The compliant bucket without one kind of sub-resource (DR is its bucket).
const withoutPart = (type: string) => compliantBucket("dr", [type]);
const [DR] = compliantBucket("dr");

describe("policy s3-bucket-versioned", () => {
  it("passes a versioned bucket", async () => {
    expect(await check(s3BucketVersioned, compliantBucket())).to.deep.equal([]);
  });
  it("fails a bucket without versioning", async () => {
    expect(await check(s3BucketVersioned, compliantBucket("dr", [TYPES.bucketVersioning]))).to.have.length(1);
  });
  it("fails suspended versioning", async () => {
    const rs = [
      ...withoutPart(TYPES.bucketVersioning),
      bucketPart(DR, TYPES.bucketVersioning, {
        versioningConfiguration: { status: "Suspended" },
      }),
    ];
    expect(await check(s3BucketVersioned, rs)).to.have.length(1);
  });
});
