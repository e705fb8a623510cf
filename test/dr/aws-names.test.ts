// The AWS names the DR config gives or derives (regions, bucket names, the KMS aliases and IAM
// users named after the bucket) held to AWS's own data: botocore's API models and partitions
// (./aws-models), and the aws provider's region list. A name AWS would refuse at `pulumi up`
// is refused when the config is read.
import { expect } from "chai";
import { awsRegions, awsPartition, iamUserNameProblem, kmsAliasProblem } from "../../config/schema/aws";
import { DR_USERS, drBucketNameProblem, drKmsAlias, drUserName } from "../../config/schema/dr";
import { awsPartitions, memberShape, shapeRefuses } from "./aws-models";

// Bucket names S3 accepts, around the limits the derived names meet.
const BUCKETS = [
  "abc",
  "acme-harbor-dr",
  "a".repeat(56),
  "a".repeat(57),
  "a".repeat(63),
  "acme.harbor.dr",
  "1-2-3",
  "dr-2026",
];

describe("AWS names derived from the DR config", () => {
  const alias = memberShape("kms", "CreateAliasRequest", "AliasName");
  const user = memberShape("iam", "CreateUserRequest", "UserName");

  it("gives every DR bucket name it accepts a KMS alias and IAM users AWS's models accept, and refuses the rest", () => {
    for (const name of BUCKETS) {
      const aws =
        shapeRefuses(alias, drKmsAlias(name)) ??
        DR_USERS.map((u) => shapeRefuses(user, drUserName(name, u))).find(Boolean);
      expect(drBucketNameProblem(name, true) === undefined, name).to.equal(aws === undefined);
    }
    // The replica has no users: only its alias counts.
    expect(drBucketNameProblem("a".repeat(63), false)).to.equal(undefined);
    expect(drBucketNameProblem("acme.replica", false)).to.match(
      /^an S3 bucket name without dots: KMS refuses its alias/,
    );
  });

  it("reads KMS alias and IAM user names as KMS's and IAM's models do, and alias/aws/ as reserved", () => {
    const aliases = [
      "alias/acme",
      "alias/a:b/c_d-e",
      "alias/acme.dr",
      "alias/",
      `alias/${"x".repeat(250)}`,
      "alias/a b",
    ];
    for (const a of aliases)
      expect(kmsAliasProblem(a) === undefined, a).to.equal(shapeRefuses(alias, a) === undefined);
    // The model's pattern cannot say it; CreateAlias's documentation does.
    expect(alias.pattern).to.equal("^[a-zA-Z0-9:/_-]+$");
    expect(kmsAliasProblem("alias/aws/acme")).to.equal("alias/aws/ is reserved for AWS managed keys");
    const users = ["acme-dr-mirror", "a+b=c,d.e@f_g-h", "x".repeat(64), "x".repeat(65), "a b", "a/b", ""];
    for (const u of users)
      expect(iamUserNameProblem(u) === undefined, u).to.equal(shapeRefuses(user, u) === undefined);
  });

  it("tells regions' partitions apart as the SDK's partitions do", () => {
    const partitions = awsPartitions();
    let matched = 0;
    for (const region of awsRegions()) {
      // Partitions newer than the installed botocore match none of its regexes.
      const p = partitions.find((x) => new RegExp(x.regionRegex).test(region));
      if (p === undefined) continue;
      matched += 1;
      expect(awsPartition(region), region).to.equal(p.id);
    }
    expect(matched).to.be.greaterThan(20);
    for (const region of awsRegions()) expect(awsPartition(region), region).to.not.equal(undefined);
    expect(
      new Set(
        awsRegions()
          .filter((r) => partitions.some((p) => new RegExp(p.regionRegex).test(r)))
          .map(awsPartition),
      ),
    ).to.include.members(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"]);
  });
});
