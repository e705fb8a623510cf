// What providers compute that mocks cannot: deterministic stand-ins per resource type, so two
// evaluations are comparable and outputs that the program reads are present.
import { createHash } from "crypto";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("/")).digest("hex");
}

/** Mocks apply no provider defaults: the region is the resource's own or the mock's default. */
function region(args: MockResourceArgs): string {
  return String((args.inputs as { region?: string }).region ?? "eu-central-1");
}

export function mockOutputs(args: MockResourceArgs): Record<string, unknown> {
  const h = digest(args.type, args.name);
  switch (args.type) {
    case "random:index/randomPassword:RandomPassword": {
      const length = Number((args.inputs as { length?: number }).length ?? 16);
      const result = `Aa1${h}`.slice(0, length);
      return { result, bcryptHash: `$2a$10$${h.slice(0, 53)}` };
    }
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${h}\n-----END PRIVATE KEY-----\n`,
        publicKeyPem: `pub-${h}`,
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert": {
      // The provider computes validity from the creation time; the mocks from a fixed one.
      const hours = Number((args.inputs as { validityPeriodHours?: number }).validityPeriodHours ?? 0);
      return {
        certPem: `-----BEGIN CERTIFICATE-----\n${h}\n-----END CERTIFICATE-----\n`,
        validityEndTime: new Date(Date.UTC(2026, 0, 1) + hours * 3600_000)
          .toISOString()
          .replace(".000Z", "Z"),
      };
    }
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `csr-${h}` };
    case "aws:kms/key:Key":
      return {
        arn: `arn:aws:kms:${region(args)}:111122223333:key/${h.slice(0, 36)}`,
        keyId: h.slice(0, 36),
      };
    case "aws:s3/bucket:Bucket": {
      const bucket = String((args.inputs as { bucket?: string }).bucket ?? args.name);
      return { arn: `arn:aws:s3:::${bucket}`, bucket, region: region(args) };
    }
    case "aws:iam/user:User":
      return { arn: `arn:aws:iam::111122223333:user/${String(args.inputs.name ?? args.name)}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::111122223333:role/${args.name}`, name: args.name };
    case "aws:iam/accessKey:AccessKey":
      return { id: `AKIA${h.slice(0, 16).toUpperCase()}`, secret: `secret-${h.slice(0, 40)}` };
    default:
      return args.type.startsWith("pulumi-nodejs:dynamic/harbor:") ? harborOutputs(args, h) : {};
  }
}

/** What Harbor answers on create, so ids flow into dependent resources as they would for real. */
function harborOutputs(args: MockResourceArgs, h: string): Record<string, unknown> {
  const id = parseInt(h.slice(0, 6), 16);
  const inputs = args.inputs as { name?: string; project?: string; durationDays?: number };
  switch (args.type.split(":").pop()) {
    case "HarborProject":
      return { projectId: id, quotaId: id, retentionId: 0 };
    case "HarborRegistry":
      return { registryId: id };
    case "HarborRobot":
      return {
        robotId: id,
        fullName: inputs.project ? `robot$${inputs.project}+${inputs.name}` : `robot$${inputs.name}`,
        secret: `robot-secret-${h.slice(0, 32)}`,
        // Created at the mocks' fixed time, 2026-01-01 UTC; Harbor counts the duration from it.
        expiresAt:
          inputs.durationDays === undefined || inputs.durationDays === -1
            ? -1
            : Date.UTC(2026, 0, 1) / 1000 + inputs.durationDays * 86400,
      };
    case "HarborRetention":
      return { retentionId: id, adopted: false };
    case "HarborImmutableRule":
      return { ruleId: id };
    case "HarborReplication":
      return { policyId: id };
    default:
      return {};
  }
}

/** What a provider function answers; the mocks echo the arguments of any other. */
export function mockCallResult(args: MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getPartition:getPartition":
      // The commercial partition: the mocks' regions (eu-central-1 unless set) are all in it.
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    default:
      return args.inputs;
  }
}
