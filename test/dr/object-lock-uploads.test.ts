// The DR buckets carry Object Lock default retention, and S3 then refuses any upload without a
// Content-MD5 (or checksum) header. rclone's single-part uploads carry Content-MD5 only when the
// source has an MD5 (MinIO's multipart ETags do not); every part of a multipart upload carries
// one. rclone's own s3 docs ("Object-lock enabled S3 bucket") give the remedy: upload_cutoff 0.
// Checked here on what the prod stack registers, and with Debian's rclone that the value is one
// its s3 backend accepts (it validates the option when the remote is built, before any request).
import { expect } from "chai";
import { at, evaluateStack, type StackRun } from "../harness";
import { podScript, requireRclone } from "./rclone-cli";
import { spawnSync } from "node:child_process";

const CRONJOB = "kubernetes:batch/v1:CronJob";

describe("DR uploads into Object Lock buckets", () => {
  let run: StackRun;
  let env: Record<string, string>;
  before(async () => {
    run = await evaluateStack("prod");
    const cron = run.one(CRONJOB, "harbor-platform-dr-mirror");
    const [c] = at(cron.inputs, "spec.jobTemplate.spec.template.spec.containers") as Parameters<
      typeof podScript
    >[0][];
    env = podScript(c).env;
  });

  it("the DR buckets have default retention, so every mirror upload to them goes multipart", () => {
    const locks = run.byType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
    expect(locks.length).to.be.greaterThan(0);
    for (const l of locks) expect(at(l.inputs, "rule.defaultRetention.mode")).to.be.a("string");
    expect(env.RCLONE_CONFIG_DR_TYPE).to.equal("s3");
    expect(env.RCLONE_CONFIG_DR_UPLOAD_CUTOFF).to.equal("0");
    // MinIO is a read source: its uploads are not affected and keep rclone's default.
    expect(env.RCLONE_CONFIG_MINIO_UPLOAD_CUTOFF).to.equal(undefined);
  });

  it("Debian's rclone builds the registered DR remote with that cutoff, and refuses a cutoff it cannot use", () => {
    requireRclone();
    const features = (cutoff: string) => {
      const base = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("RCLONE_")),
      );
      return spawnSync("rclone", ["backend", "features", `dr:${String(env.RCLONE_CONFIG_DR_REGION)}-probe`], {
        encoding: "utf8",
        env: {
          ...base,
          // The DR remote's own options as registered (the pod's global CA and metrics settings aside).
          ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("RCLONE_CONFIG_DR_"))),
          RCLONE_CONFIG: "/nonexistent/rclone.conf",
          RCLONE_CONFIG_DR_UPLOAD_CUTOFF: cutoff,
          RCLONE_CONFIG_DR_ACCESS_KEY_ID: "probe",
          RCLONE_CONFIG_DR_SECRET_ACCESS_KEY: "probe",
        },
      });
    };
    const ok = features(env.RCLONE_CONFIG_DR_UPLOAD_CUTOFF);
    expect(ok.status, ok.stderr).to.equal(0);
    const tooLarge = features("6G");
    expect(tooLarge.status).to.not.equal(0);
    expect(tooLarge.stderr).to.match(/upload cutoff/);
  });
});
