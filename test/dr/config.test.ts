import { expect } from "chai";
import { PROD_DR } from "./fixtures";
import { ConfigError } from "../../config/validate";
import { parseDr } from "../../config/dr";

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
      `harbor-platform:dr = ${JSON.stringify(PROD.dr)}: only for topology prod: dev has no disaster recovery`,
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
      "harbor-platform:dr.alwaysAllowDeletes = (unset): at most dr.maxDelete (20): no run deletes more than that",
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
      "harbor-platform:dr.approveDeletes.count = (unset): required: the most objects the approved run may delete",
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
});
