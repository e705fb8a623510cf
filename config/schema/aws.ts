// AWS names the config gives or derives: regions, and the names AWS would refuse only at
// `pulumi up` (IAM users, KMS aliases) checked here instead.
import { didYouMean } from "./errors";
import { leaf } from "./define";

let regions: readonly string[] | undefined;

/**
 * The regions the AWS provider accepts (its `Region` enum; the provider refuses any other region
 * unless told to skip region validation). Loaded when a region is read: dev reads none and
 * loads nothing of @pulumi/aws.
 */
export function awsRegions(): readonly string[] {
  if (regions === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const enums = require("@pulumi/aws/types/enums") as typeof import("@pulumi/aws/types/enums");
    regions = Object.values(enums.Region);
  }
  return regions;
}

export function awsRegion(allowed = "an AWS region like eu-central-1") {
  return leaf<string>({ type: "AWS region", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    if (awsRegions().includes(v)) return v;
    const guess = didYouMean(v, awsRegions());
    return guess === undefined ? undefined : { refused: `did you mean ${guess}?` };
  });
}

/**
 * The partitions and the region names each takes, as the SDK's partitions.json says
 * (aws/aws-sdk-js-v3 packages/util-endpoints/src/lib/aws/partitions.json, `regionRegex`).
 */
const PARTITIONS: readonly (readonly [string, RegExp])[] = [
  ["aws", /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/],
  ["aws-cn", /^cn-\w+-\d+$/],
  ["aws-us-gov", /^us-gov-\w+-\d+$/],
  ["aws-iso", /^us-iso-\w+-\d+$/],
  ["aws-iso-b", /^us-isob-\w+-\d+$/],
  ["aws-iso-e", /^eu-isoe-\w+-\d+$/],
  ["aws-iso-f", /^us-isof-\w+-\d+$/],
  ["aws-eusc", /^eusc-(de)-\w+-\d+$/],
];

/** The partition of a region (aws, aws-cn, aws-us-gov, ...); undefined for a name none takes. */
export function awsPartition(region: string): string | undefined {
  return PARTITIONS.find(([, re]) => re.test(region))?.[0];
}

/** IAM's UserName (IAM API Reference, CreateUser): 1-64 of `[\w+=,.@-]`. */
export const IAM_USER_NAME_MAX = 64;
const IAM_USER_NAME = /^[\w+=,.@-]+$/;

export function iamUserNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > IAM_USER_NAME_MAX)
    return `${name.length} characters, IAM allows 1 to ${IAM_USER_NAME_MAX}`;
  if (!IAM_USER_NAME.test(name)) return "IAM allows only letters, digits and +=,.@_-";
  return undefined;
}

/**
 * KMS's AliasName (KMS API Reference, CreateAlias): `alias/...`, 1-256 of `[a-zA-Z0-9:/_-]`,
 * never under `alias/aws/` (reserved for AWS managed keys).
 */
export const KMS_ALIAS_MAX = 256;
const KMS_ALIAS = /^[a-zA-Z0-9:/_-]+$/;

export function kmsAliasProblem(alias: string): string | undefined {
  if (!alias.startsWith("alias/")) return "a KMS alias begins with alias/";
  if (alias.length > KMS_ALIAS_MAX) return `${alias.length} characters, KMS allows ${KMS_ALIAS_MAX}`;
  if (!KMS_ALIAS.test(alias)) return "KMS allows only letters, digits and :/_- in an alias";
  if (alias.startsWith("alias/aws/")) return "alias/aws/ is reserved for AWS managed keys";
  return undefined;
}
