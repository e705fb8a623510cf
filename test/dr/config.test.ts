import { expect } from "chai";
import { PROD_DR } from "./fixtures";
import { ConfigError } from "../../config/validate";
import { parseConfig } from "../../config";
import { s3BucketNameProblem } from "../../config/schema/define";
import { stackConfig } from "../harness";
import { parseDr } from "../config/sections";

const PROD = PROD_DR;

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("DR config", () => {
  it("parses the prod keys with their defaults", () => {
    const dr = parseDr(PROD, "prod", "eu-central-1");
    expect(dr?.bucket).to.deep.equal({
      region: "eu-central-1",
      bucketName: "acme-harbor-dr",
      replicaRegion: "eu-west-1",
      replicaBucketName: "acme-harbor-dr-replica",
      noncurrentVersionDays: 30,
      abortIncompleteUploadDays: 7,
      // Governance by default, locked as long as the lifecycle keeps a noncurrent version.
      objectLock: { mode: "GOVERNANCE", days: 30 },
    });
    expect(dr?.mirror).to.deep.equal({
      schedule: "*/15 * * * *",
      intervalMinutes: 15,
      rpoMinutes: 30,
      maxDelete: 1000,
      maxDeletePercent: 10,
      alwaysAllowDeletes: 50,
    });
    expect(dr?.restore).to.deep.equal({ enabled: false });
  });

  it("has no DR in dev and refuses DR keys there", () => {
    expect(parseDr({}, "dev", undefined)).to.equal(undefined);
    expect(message(() => parseDr({ dr: PROD.dr }, "dev", "eu-central-1"))).to.equal(
      `harbor-platform:dr = ${JSON.stringify(PROD.dr)}: only used by topology prod; remove it from the dev stack`,
    );
  });

  it("stops when the AWS region or the dr section is missing", () => {
    expect(message(() => parseDr(PROD, "prod", undefined))).to.equal(
      "aws:region = (unset): required for topology prod: the AWS region of the DR bucket, like eu-central-1",
    );
    expect(message(() => parseDr({}, "prod", "eu-central-1"))).to.match(
      /^harbor-platform:dr = \(unset\): required/,
    );
  });

  it("refuses a replica region equal to the primary", () => {
    const raw = { ...PROD, dr: { ...PROD.dr, replicaRegion: "eu-central-1" } };
    expect(message(() => parseDr(raw, "prod", "eu-central-1"))).to.equal(
      'harbor-platform:dr.replicaRegion = "eu-central-1": a region other than aws:region (eu-central-1): the replica must survive the loss of the primary region',
    );
  });

  it("refuses a backup TTL shorter than two schedule gaps", () => {
    const raw = { ...PROD, backup: { schedule: "0 2 * * *", ttl: "36h" } };
    expect(message(() => parseDr(raw, "prod", "eu-central-1"))).to.equal(
      'harbor-platform:backup.ttl = "36h": at least twice the longest gap of backup.schedule (48h), so one backup always survives',
    );
    expect(() =>
      parseDr({ ...raw, backup: { ...raw.backup, ttl: "48h" } }, "prod", "eu-central-1"),
    ).not.to.throw();
  });

  it("refuses a mirror schedule that cannot meet the RPO", () => {
    const raw = { ...PROD, dr: { ...PROD.dr, mirrorSchedule: "0 * * * *", rpoMinutes: 30 } };
    expect(message(() => parseDr(raw, "prod", "eu-central-1"))).to.equal(
      'harbor-platform:dr.mirrorSchedule = "0 * * * *": a schedule whose longest gap (1h) fits in dr.rpoMinutes (30)',
    );
  });

  it("refuses a restore switch without a source", () => {
    expect(message(() => parseDr({ ...PROD, restore: { enabled: true } }, "prod", "eu-central-1"))).to.equal(
      "harbor-platform:restore.source = (unset): required when restore.enabled is true: {bucket, region, serverName} of the DR copy to restore from",
    );
  });

  it("parses a point-in-time restore from the replica", () => {
    const restore = {
      enabled: true,
      source: { bucket: "acme-harbor-dr-replica", region: "eu-west-1", serverName: "harbor-db" },
      targetTime: "2026-03-01T10:30:00Z",
    };
    expect(parseDr({ ...PROD, restore }, "prod", "eu-central-1")?.restore).to.deep.equal({
      enabled: true,
      source: restore.source,
      targetTime: "2026-03-01T10:30:00Z",
      archiveServerName: "harbor-db-restored",
    });
    expect(
      message(() =>
        parseDr({ ...PROD, restore: { ...restore, targetTime: "yesterday" } }, "prod", "eu-central-1"),
      ),
    ).to.match(/^harbor-platform:restore\.targetTime = "yesterday": an RFC 3339 time/);
    expect(
      message(() =>
        parseDr({ ...PROD, restore: { ...restore, archiveServerName: "harbor-db" } }, "prod", "eu-central-1"),
      ),
    ).to.match(/^harbor-platform:restore\.archiveServerName = "harbor-db": a name other than/);
  });

  it("bounds the mirror's deletes and takes a one-shot approval with a UTC lapse time", () => {
    const approveDeletes = { bucket: "harbor-registry", count: 3200, until: "2026-03-01T18:00:00Z" };
    const dr = (over: Record<string, unknown>) => ({ ...PROD, dr: { ...PROD.dr, ...over } });
    expect(
      parseDr(dr({ approveDeletes, maxDeletePercent: 5 }), "prod", "eu-central-1")?.mirror,
    ).to.deep.include({
      maxDeletePercent: 5,
      approveDeletes,
    });
    expect(message(() => parseDr(dr({ maxDelete: 20 }), "prod", "eu-central-1"))).to.equal(
      // Its default (50) is what the run would get.
      "harbor-platform:dr.alwaysAllowDeletes = 50: at most dr.maxDelete (20): no run deletes more than that",
    );
    expect(message(() => parseDr(dr({ maxDeletePercent: 101 }), "prod", "eu-central-1"))).to.equal(
      "harbor-platform:dr.maxDeletePercent = 101: an integer from 0 to 100",
    );
    expect(
      message(() =>
        parseDr(
          dr({ approveDeletes: { ...approveDeletes, until: "2026-03-01 18:00" } }),
          "prod",
          "eu-central-1",
        ),
      ),
    ).to.equal(
      'harbor-platform:dr.approveDeletes.until = "2026-03-01 18:00": an RFC 3339 time in UTC with a Z, like 2026-03-01T10:30:00Z',
    );
    expect(
      message(() =>
        parseDr(
          dr({ approveDeletes: { bucket: "harbor-registry", until: approveDeletes.until } }),
          "prod",
          "eu-central-1",
        ),
      ),
    ).to.equal(
      "harbor-platform:dr.approveDeletes.count = (unset): the most objects the approved run may delete: an integer >= 1",
    );
    expect(
      message(() =>
        parseDr(dr({ approveDeletes: { ...approveDeletes, forever: true } }), "prod", "eu-central-1"),
      ),
    ).to.match(/^harbor-platform:dr\.approveDeletes\.forever = true: /);
  });

  it("reads dr.objectLock: compliance on request, retention within the lifecycle's noncurrent days", () => {
    const lock = (objectLock: unknown, extra: Record<string, unknown> = {}) =>
      parseDr({ ...PROD, dr: { ...PROD.dr, ...extra, objectLock } }, "prod", "eu-central-1")?.bucket
        .objectLock;
    expect(lock({ mode: "compliance", days: 7 })).to.deep.equal({ mode: "COMPLIANCE", days: 7 });
    expect(lock({ days: 10 })).to.deep.equal({ mode: "GOVERNANCE", days: 10 });
    expect(lock(undefined, { noncurrentVersionDays: 9 })).to.deep.equal({ mode: "GOVERNANCE", days: 9 });
    expect(message(() => lock({ mode: "GOVERNANCE" }))).to.equal(
      'harbor-platform:dr.objectLock.mode = "GOVERNANCE": governance (default; an admin with s3:BypassGovernanceRetention can still remove a version) or compliance (irreversible: nobody can, until the retention ends)',
    );
    expect(message(() => lock({ days: 31 }))).to.equal(
      "harbor-platform:dr.objectLock.days = 31: at most dr.noncurrentVersionDays (30): S3 lifecycle cannot expire a version while it is locked",
    );
    expect(message(() => lock({ days: 0 }))).to.equal(
      "harbor-platform:dr.objectLock.days = 0: an integer >= 1",
    );
    expect(message(() => lock({ mode: "governance", years: 1 }))).to.match(
      /^harbor-platform:dr\.objectLock\.years = 1: /,
    );
  });

  it("refuses DR bucket names whose IAM user or KMS alias names AWS would refuse", () => {
    const bucket = (bucketName: string) =>
      parseDr(
        { ...PROD, dr: { ...PROD.dr, bucketName, replicaBucketName: "acme-replica" } },
        "prod",
        "eu-central-1",
      )?.bucket.bucketName;
    const longest = "a".repeat(56);
    expect(bucket(longest)).to.equal(longest);
    expect(message(() => bucket(`${longest}b`))).to.equal(
      `harbor-platform:dr.bucketName = "${longest}b": at most 56 characters: the IAM users are named <bucketName>-mirror|velero|restore and IAM allows 64`,
    );
    expect(message(() => bucket("acme.harbor.dr"))).to.match(
      /^harbor-platform:dr\.bucketName = "acme\.harbor\.dr": an S3 bucket name without dots/,
    );
    expect(
      message(() =>
        parseDr({ ...PROD, dr: { ...PROD.dr, replicaBucketName: "acme.replica" } }, "prod", "eu-central-1"),
      ),
    ).to.match(/^harbor-platform:dr\.replicaBucketName = "acme\.replica": an S3 bucket name without dots/);
  });

  it("reads regions from the AWS provider's own list, and leaves a dev stack's aws:region alone", () => {
    expect(message(() => parseDr(PROD, "prod", "eu-centrl-1"))).to.equal(
      'aws:region = "eu-centrl-1": an AWS region like eu-central-1; did you mean eu-central-1?',
    );
    // Shaped like a region, but none: the provider would refuse it at `pulumi up`.
    expect(message(() => parseDr(PROD, "prod", "eu-central-9"))).to.match(
      /^aws:region = "eu-central-9": an AWS region/,
    );
    expect(
      message(() =>
        parseDr({ ...PROD, dr: { ...PROD.dr, replicaRegion: "mars-north-1" } }, "prod", "eu-central-1"),
      ),
    ).to.match(/^harbor-platform:dr\.replicaRegion = "mars-north-1": an AWS region/);
    // aws:region is the aws provider's key: a dev stack may carry it for other programs.
    expect(parseDr({}, "dev", "eu-central-1")).to.equal(undefined);
  });

  it("keeps the replica in aws:region's partition: S3 does not replicate across partitions", () => {
    expect(message(() => parseDr(PROD, "prod", "cn-north-1"))).to.equal(
      `harbor-platform:dr.replicaRegion = "eu-west-1": a region of aws:region's partition (aws-cn): S3 replicates only within a partition`,
    );
    const cn = { ...PROD, dr: { ...PROD.dr, replicaRegion: "cn-northwest-1" } };
    expect(parseDr(cn, "prod", "cn-north-1")?.bucket.replicaRegion).to.equal("cn-northwest-1");
  });

  it("restores from the region of the bucket it names", () => {
    const restore = (bucket: string, region: string) => ({
      ...PROD,
      restore: { enabled: true, source: { bucket, region, serverName: "harbor-pg" } },
    });
    expect(
      parseDr(restore("acme-harbor-dr", "eu-central-1"), "prod", "eu-central-1")?.restore.enabled,
    ).to.equal(true);
    expect(
      message(() => parseDr(restore("acme-harbor-dr-replica", "eu-central-1"), "prod", "eu-central-1")),
    ).to.equal(
      'harbor-platform:restore.source.region = "eu-central-1": eu-west-1, the region of acme-harbor-dr-replica (the restore reads the bucket there)',
    );
    expect(
      message(() => parseDr(restore("someone-elses-bucket", "eu-central-1"), "prod", "eu-central-1")),
    ).to.equal(
      'harbor-platform:restore.source.bucket = "someone-elses-bucket": one of the DR buckets this stack owns: acme-harbor-dr, acme-harbor-dr-replica',
    );
    expect(
      message(() =>
        parseDr(
          {
            ...PROD,
            restore: {
              enabled: true,
              source: { bucket: "acme-harbor-dr", region: "eu-central-1", serverName: "pg/../x" },
            },
          },
          "prod",
          "eu-central-1",
        ),
      ),
    ).to.match(
      /^harbor-platform:restore\.source\.serverName = "pg\/\.\.\/x": the barman server name of the lost cluster: letters, digits/,
    );
  });

  it("refuses S3 bucket names by AWS's general purpose naming rules, with the rule broken", () => {
    // AWS "General purpose bucket naming rules" (Amazon S3 User Guide), one case per rule.
    const refused: [string, string][] = [
      ["ab", "it has 2 characters"],
      ["a".repeat(64), "it has 64 characters"],
      ["Acme-dr", 'it has "A"'],
      ["acme_dr", 'it has "_"'],
      ["-acme-dr", 'it begins with "-"'],
      ["acme-dr-", 'it ends with "-"'],
      ["acme..dr", "it has two adjacent periods"],
      ["192.168.5.4", "it is formatted as an IP address"],
      ["xn--acme", "the prefix xn-- is reserved by S3"],
      ["sthree-acme", "the prefix sthree- is reserved by S3"],
      ["amzn-s3-demo-acme", "the prefix amzn-s3-demo- is reserved by S3"],
      ["acme-s3alias", "the suffix -s3alias is reserved by S3 for access point aliases"],
      ["acme--ol-s3", "the suffix --ol-s3 is reserved by S3 for Object Lambda access point aliases"],
      ["acme.mrap", "the suffix .mrap is reserved by S3 for Multi-Region Access Points"],
      ["acme--x-s3", "the suffix --x-s3 is reserved by S3 for directory buckets"],
      ["acme--table-s3", "the suffix --table-s3 is reserved by S3 for table buckets"],
    ];
    for (const [name, reason] of refused) {
      expect(s3BucketNameProblem(name), name).to.equal(reason);
      expect(
        message(() => parseDr({ ...PROD, dr: { ...PROD.dr, bucketName: name } }, "prod", "eu-central-1")),
        name,
      ).to.equal(
        `harbor-platform:dr.bucketName = ${JSON.stringify(name)}: an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', beginning and ending with a letter or digit; ${reason}`,
      );
    }
    for (const name of ["abc", "a".repeat(63), "my.bucket.example", "xn-acme", "acme-s3alias-2", "1-2-3-4"])
      expect(s3BucketNameProblem(name), name).to.equal(undefined);
  });

  it("refuses a replica whose default name S3 would refuse, naming the key to set", () => {
    const name = "a".repeat(56);
    expect(
      message(() => parseDr({ ...PROD, dr: { ...PROD.dr, bucketName: name } }, "prod", "eu-central-1")),
    ).to.equal(
      `harbor-platform:dr.replicaBucketName = (unset): required here: the default ${name}-replica is refused (an S3 bucket name; it has 64 characters)`,
    );
  });
});

describe("DR config: the secrets a restore without its state brings back", () => {
  const PROD_STACK = stackConfig("prod");
  const lost = {
    ...PROD_STACK,
    restore: {
      enabled: true,
      lostState: true,
      source: { bucket: "harbor-dr-example-prod", region: "eu-central-1", serverName: "harbor-pg" },
    },
  };
  const secrets = {
    restoredHarborSecretKey: "0123456789abcdef",
    restoredHarborAdminPassword: "admin-pw-value",
    restoredDatabasePassword: "db-pw-value",
  };

  it("needs all three with restore.lostState, and refuses them without", () => {
    expect(parseConfig({ ...lost, ...secrets }).secretKeys).to.include.members(Object.keys(secrets));
    expect(message(() => parseConfig(lost))).to.match(
      /^harbor-platform:restoredHarborSecretKey = \(unset\): required by restore\.lostState: pulumi config set --secret/,
    );
    const msg = message(() => parseConfig({ ...PROD_STACK, ...secrets }));
    expect(msg).to.equal(
      "harbor-platform:restoredHarborSecretKey = (secret): only with restore.lostState: true (a restore without its Pulumi state)",
    );
  });

  it("refuses a secretKey Harbor cannot use as its AES key without showing it", () => {
    const short = "fifteen-chars!!";
    const msg = message(() => parseConfig({ ...lost, ...secrets, restoredHarborSecretKey: short }));
    expect(msg).to.equal(
      "harbor-platform:restoredHarborSecretKey = (secret): exactly 16 characters: Harbor's secretKey from the Secret harbor-credentials",
    );
    expect(msg).to.not.contain(short);
    // Sixteen characters but more bytes: Harbor counts bytes.
    expect(
      message(() => parseConfig({ ...lost, ...secrets, restoredHarborSecretKey: "é123456789abcdef" })),
    ).to.contain("exactly 16 characters");
  });
});
