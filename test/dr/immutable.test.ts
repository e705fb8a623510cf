// The DR copy as the prod stack registers it cannot be rewritten: Object Lock on both buckets
// (added beside them, never by replacing them), SSE-C refused, no DR user able to remove a
// version, keys used by exactly the DR principals, one IAM user and key per job. AWS's side of
// each contract comes from its own data (./aws-models: botocore's API models, the Service
// Authorization Reference), not from this code.
import { expect } from "chai";
import { at, evaluateStack, stackConfig, type Registered, type StackRun } from "../harness";
import type { PolicyStatement } from "../../components/dr/policies";
import { forBucket, list, message, statements } from "./stack-helpers";
import { DR_USERS, drUserName } from "../../config/dr";
import { parseDr } from "../config/sections";
import {
  accessLevel,
  actionExists,
  conditionApplies,
  conditionKeyExists,
  expandAction,
  memberShape,
  shapeRefuses,
} from "./aws-models";

const BUCKET = "aws:s3/bucket:Bucket";
const LOCK_CONFIG = "bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const LOCK = `aws:s3/${LOCK_CONFIG}`;
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const USER = "aws:iam/user:User";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
const ACCESS_KEY = "aws:iam/accessKey:AccessKey";
const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const ROLE = "aws:iam/role:Role";

const PROD = stackConfig("prod");
const DR = PROD.dr as {
  bucketName: string;
  replicaBucketName: string;
  replicaRegion: string;
  noncurrentVersionDays?: number;
};
const SSE_C_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm";

const doc = (policy: unknown) => ({ Statement: statements(policy) });
const principals = (s: PolicyStatement): string[] =>
  s.Principal === "*" || s.Principal === undefined ? [] : list(s.Principal.AWS);

function userNamed(run: StackRun, name: string): Registered {
  return run.byType(USER).find((u) => u.inputs.name === name) as Registered;
}

const userArn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;

describe("an immutable DR copy (prod stack)", () => {
  let run: StackRun;
  before(async () => {
    run = await evaluateStack("prod");
  });

  describe("Object Lock", () => {
    it("locks the DR bucket and its replica beside them: governance by default, retention from config, after versioning", () => {
      const buckets = run.byType(BUCKET);
      expect(buckets.map((b) => b.inputs.bucket)).to.have.members([DR.bucketName, DR.replicaBucketName]);
      // S3's own enum of retention modes (botocore s3 2006-03-01, ObjectLockRetentionMode).
      const modes = memberShape("s3", "DefaultRetention", "Mode");
      for (const b of buckets) {
        const name = String(b.inputs.bucket);
        const [lock, ...more] = forBucket(run, LOCK_CONFIG, b);
        expect(more, name).to.deep.equal([]);
        expect(lock.inputs.objectLockEnabled, name).to.equal("Enabled");
        expect(lock.protect, name).to.equal(true);
        expect(at(lock.inputs, "rule.defaultRetention"), name).to.deep.equal({
          mode: "GOVERNANCE",
          days: DR.noncurrentVersionDays ?? 30,
        });
        expect(shapeRefuses(modes, String(at(lock.inputs, "rule.defaultRetention.mode")))).to.equal(
          undefined,
        );
        const [versioning] = forBucket(run, "bucketVersioning:BucketVersioning", b);
        expect(lock.dependencies, name).to.include(versioning.urn);
        // Setting the bucket's own attribute would replace the bucket (and its data with it).
        expect(b.inputs, name).to.not.have.any.keys("objectLockEnabled", "objectLockConfiguration");
      }
    });

    it("takes mode and days from dr.objectLock and changes nothing else of the buckets", async () => {
      const compliance = await evaluateStack("prod", {
        dr: { ...DR, objectLock: { mode: "compliance", days: 7 } },
      });
      for (const lock of compliance.byType(LOCK)) {
        expect(at(lock.inputs, "rule.defaultRetention")).to.deep.equal({ mode: "COMPLIANCE", days: 7 });
      }
      const key = (r: Registered) => `${r.type}::${r.name}`;
      const before = new Map(run.resources.map((r) => [key(r), r]));
      const changed = compliance.resources
        .filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(before.get(key(r))?.inputs))
        .map(key);
      expect(changed).to.have.members(compliance.byType(LOCK).map(key));
    });

    it("replication waits for Object Lock on both ends and its role reads retention and legal holds", () => {
      const repl = run.one(REPLICATION);
      expect(repl.dependencies).to.include.members(run.byType(LOCK).map((l) => l.urn));
      const role = run.one("aws:iam/rolePolicy:RolePolicy");
      const reads = doc(role.inputs.policy).Statement.filter(
        (s) => s.Effect === "Allow" && list(s.Resource).includes(`arn:aws:s3:::${DR.bucketName}/*`),
      );
      expect(reads.flatMap((s) => list(s.Action))).to.include.members([
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
        "s3:GetObjectVersionForReplication",
      ]);
    });
  });

  describe("encryption", () => {
    it("every bucket policy denies SSE-C uploads to every principal, and S3 blocks SSE-C as well", async () => {
      for (const b of run.byType(BUCKET)) {
        const name = String(b.inputs.bucket);
        const [policy] = forBucket(run, "bucketPolicy:BucketPolicy", b);
        const denies = doc(policy.inputs.policy).Statement.filter(
          (s) =>
            s.Effect === "Deny" &&
            s.Principal === "*" &&
            list(s.Action).includes("s3:PutObject") &&
            list(s.Resource).includes(`arn:aws:s3:::${name}/*`) &&
            s.Condition?.Null?.[SSE_C_HEADER] === "false",
        );
        expect(denies, name).to.have.length(1);
        const [sse] = forBucket(
          run,
          "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          b,
        );
        expect(at((sse.inputs.rules as unknown[])[0], "blockedEncryptionTypes"), name).to.deep.equal([
          "SSE-C",
        ]);
      }
      // The header's condition key is one IAM evaluates for PutObject (Service Authorization Reference).
      expect(await conditionApplies("s3:PutObject", SSE_C_HEADER)).to.equal(true);
    });

    it("each key's policy: administration for the account without use, use by exactly the DR principals, through S3", async () => {
      const role = run.one(ROLE);
      const roleArn = `arn:aws:iam::111122223333:role/${role.name}`;
      const expected: Record<string, string[]> = {
        [DR.bucketName]: ["mirror", "velero", "restore"]
          .map((u) => userArn(`${DR.bucketName}-${u}`))
          .concat(roleArn),
        [DR.replicaBucketName]: [userArn(`${DR.bucketName}-restore`), roleArn],
      };
      const policies = run.byType(KEY_POLICY);
      expect(policies).to.have.length(run.byType(KEY).length);
      for (const p of policies) {
        const key = run.byType(KEY).find((k) => p.inputDependencies.includes(k.urn)) as Registered;
        const alias = run.byType("aws:kms/alias:Alias").find((a) => a.inputDependencies.includes(key.urn));
        const bucket = String(alias?.inputs.name).replace(/^alias\//, "");
        const statements = doc(p.inputs.policy).Statement;
        expect(
          statements.every((s) => s.Effect === "Allow"),
          bucket,
        ).to.equal(true);
        const [admin, ...grants] = statements;
        expect(principals(admin)).to.deep.equal(["arn:aws:iam::111122223333:root"]);
        const administers = (await Promise.all(list(admin.Action).map(expandAction))).flat();
        // The key stays manageable (AWS refuses a policy that locks out its caller)...
        expect(administers).to.include.members([
          "kms:PutKeyPolicy",
          "kms:ScheduleKeyDeletion",
          "kms:DescribeKey",
        ]);
        // ...but administration is not use: nothing in it encrypts or decrypts.
        const uses = (await Promise.all(grants.flatMap((g) => list(g.Action)).map(expandAction))).flat();
        expect(uses).to.have.length.greaterThan(0);
        expect(
          administers.filter((a) => uses.includes(a) || /crypt|GenerateDataKey/i.test(a)),
          bucket,
        ).to.deep.equal([]);
        expect(grants.flatMap(principals), bucket).to.have.members(expected[bucket]);
        const region = bucket === DR.bucketName ? PROD["aws:region"] : DR.replicaRegion;
        for (const g of grants) {
          expect(g.Condition?.StringEquals?.["kms:ViaService"], g.Sid).to.equal(
            `s3.${String(region)}.amazonaws.com`,
          );
        }
      }
      // The restore user decrypts; only writers and replication generate data keys.
      const restoreOnly = run
        .byType(KEY_POLICY)
        .flatMap((p) => doc(p.inputs.policy).Statement)
        .filter((s) => principals(s).includes(userArn(`${DR.bucketName}-restore`)));
      expect(restoreOnly.flatMap((s) => list(s.Action))).to.deep.equal(["kms:Decrypt", "kms:Decrypt"]);
    });
  });

  describe("IAM users", () => {
    it("three users (mirror, Velero, restore), each with its own policy and its own access key", () => {
      const names = ["mirror", "velero", "restore"].map((u) => `${DR.bucketName}-${u}`);
      expect(run.byType(USER).map((u) => u.inputs.name)).to.have.members(names);
      for (const name of names) {
        const user = userNamed(run, name);
        const keys = run.byType(ACCESS_KEY).filter((k) => k.inputDependencies.includes(user.urn));
        expect(keys, name).to.have.length(1);
        const policies = run.byType(USER_POLICY).filter((p) => p.inputs.user === name);
        expect(policies, name).to.have.length(1);
      }
      expect(run.byType(ACCESS_KEY)).to.have.length(3);
      // IAM's own rule for user names (botocore iam 2010-05-08, CreateUserRequest.UserName).
      const shape = memberShape("iam", "CreateUserRequest", "UserName");
      for (const name of names) expect(shapeRefuses(shape, name), name).to.equal(undefined);
    });

    it("no DR user may remove a version, bypass or change retention, or rewrite the bucket's rules", () => {
      for (const p of run.byType(USER_POLICY)) {
        const statements = doc(p.inputs.policy).Statement;
        const denied = statements.filter((s) => s.Effect === "Deny");
        const deniedActions = denied.flatMap((s) => list(s.Action));
        expect(deniedActions, String(p.inputs.user)).to.include.members([
          "s3:DeleteObjectVersion",
          "s3:BypassGovernanceRetention",
          "s3:PutObjectRetention",
          "s3:PutBucketObjectLockConfiguration",
          "s3:PutLifecycleConfiguration",
          "s3:PutBucketVersioning",
        ]);
        for (const b of [DR.bucketName, DR.replicaBucketName]) {
          expect(
            denied.some((s) => list(s.Resource).includes(`arn:aws:s3:::${b}/*`)),
            `${String(p.inputs.user)} on ${b}`,
          ).to.equal(true);
        }
        const allowed = statements.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action));
        expect(allowed.filter((a) => deniedActions.includes(a))).to.deep.equal([]);
      }
    });

    it("the restore user only reads and lists (IAM's access levels), every version, in both buckets", async () => {
      const name = `${DR.bucketName}-restore`;
      const policy = run.byType(USER_POLICY).find((p) => p.inputs.user === name) as Registered;
      const allows = doc(policy.inputs.policy).Statement.filter((s) => s.Effect === "Allow");
      const actions = [...new Set(allows.flatMap((s) => list(s.Action)))];
      expect(actions).to.include.members(["s3:GetObjectVersion", "s3:ListBucketVersions"]);
      for (const a of actions.filter((x) => x.startsWith("s3:")))
        expect(await accessLevel(a), a).to.be.oneOf(["Read", "List"]);
      const resources = allows.flatMap((s) => list(s.Resource));
      for (const b of [DR.bucketName, DR.replicaBucketName]) {
        expect(resources, b).to.include.members([`arn:aws:s3:::${b}/mirror/*`, `arn:aws:s3:::${b}/velero/*`]);
      }
    });

    it("writers may not read or write the replica: only replication writes there", () => {
      for (const u of ["mirror", "velero"]) {
        const policy = run
          .byType(USER_POLICY)
          .find((p) => p.inputs.user === `${DR.bucketName}-${u}`) as Registered;
        const resources = doc(policy.inputs.policy)
          .Statement.filter((s) => s.Effect === "Allow")
          .flatMap((s) => list(s.Resource));
        expect(
          resources.filter((r) => r.includes(DR.replicaBucketName)),
          u,
        ).to.deep.equal([]);
      }
    });
  });

  it("every action and condition key in every DR policy is one AWS knows, and each condition applies to its actions", async () => {
    const documents = [
      ...run.byType(USER_POLICY),
      ...run.byType("aws:iam/rolePolicy:RolePolicy"),
      ...run.byType("aws:s3/bucketPolicy:BucketPolicy"),
      ...run.byType(KEY_POLICY),
    ].map((r) => ({ name: `${r.type} ${r.name}`, doc: doc(r.inputs.policy) }));
    // Three users, the replication role, two buckets, two keys.
    expect(documents.length).to.equal(3 + 1 + 2 + 2);
    const problems: string[] = [];
    for (const { name, doc: d } of documents) {
      for (const s of d.Statement) {
        const actions = (
          await Promise.all(list(s.Action).map((a) => (a.includes("*") ? expandAction(a) : [a])))
        ).flat();
        for (const pattern of list(s.Action)) {
          if (pattern.includes("*")) {
            if ((await expandAction(pattern)).length === 0)
              problems.push(`${name} ${s.Sid}: ${pattern} matches nothing`);
          } else if (!(await actionExists(pattern))) problems.push(`${name} ${s.Sid}: no action ${pattern}`);
        }
        for (const operator of Object.values(s.Condition ?? {})) {
          for (const key of Object.keys(operator)) {
            if (!(await conditionKeyExists(key))) problems.push(`${name} ${s.Sid}: no condition key ${key}`);
            else if (!key.startsWith("aws:")) {
              const applies = await Promise.all(actions.map((a) => conditionApplies(a, key)));
              if (!applies.some(Boolean))
                problems.push(`${name} ${s.Sid}: ${key} applies to none of its actions`);
            }
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it("KMS alias names are ones KMS accepts (botocore kms 2014-11-01, CreateAliasRequest.AliasName)", () => {
    const shape = memberShape("kms", "CreateAliasRequest", "AliasName");
    const aliases = run.byType("aws:kms/alias:Alias").map((a) => String(a.inputs.name));
    expect(aliases).to.have.length(2);
    for (const alias of aliases) {
      expect(shapeRefuses(shape, alias), alias).to.equal(undefined);
      expect(alias).to.match(/^alias\//);
      expect(alias).to.not.match(/^alias\/aws\//);
    }
  });

  describe("bad input stops the stack with one line", () => {
    it("an unknown Object Lock mode", async () => {
      expect(await message({ dr: { ...DR, objectLock: { mode: "legal-hold" } } })).to.match(
        /^harbor-platform:dr\.objectLock\.mode = "legal-hold": governance \(default/,
      );
    });

    it("a retention longer than the lifecycle keeps noncurrent versions", async () => {
      expect(await message({ dr: { ...DR, noncurrentVersionDays: 14, objectLock: { days: 30 } } })).to.equal(
        "harbor-platform:dr.objectLock.days = 30: at most dr.noncurrentVersionDays (14): S3 lifecycle cannot expire a version while it is locked",
      );
    });

    it("a bucket name whose IAM user names would pass IAM's limit (botocore's userNameType)", async () => {
      const shape = memberShape("iam", "CreateUserRequest", "UserName");
      // The longest name config accepts yields user names IAM accepts; one more character is refused.
      const longest = (shape.max as number) - Math.max(...DR_USERS.map((u) => u.length + 1));
      const dr = (bucketName: string) => ({ dr: { ...DR, bucketName, replicaBucketName: "r-replica" } });
      const accepted = parseDr(dr("b".repeat(longest)), "prod", "eu-central-1")?.bucket.bucketName as string;
      for (const u of DR_USERS) expect(shapeRefuses(shape, drUserName(accepted, u)), u).to.equal(undefined);
      expect(await message(dr("b".repeat(longest + 1)))).to.match(
        new RegExp(`^harbor-platform:dr\\.bucketName = "b{${longest + 1}}": at most ${longest} characters`),
      );
    });

    it("a dotted bucket name, which no KMS alias may carry (botocore's AliasNameType)", async () => {
      const shape = memberShape("kms", "CreateAliasRequest", "AliasName");
      expect(shapeRefuses(shape, "alias/acme.dr")).to.match(/^not matching/);
      expect(await message({ dr: { ...DR, bucketName: "acme.dr" } })).to.match(
        /^harbor-platform:dr\.bucketName = "acme\.dr": an S3 bucket name without dots/,
      );
    });
  });
});
