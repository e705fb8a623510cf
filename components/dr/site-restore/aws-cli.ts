// The aws CLI calls of the site-loss restore (scripts/site-restore.ts), as argument lists. Pure,
// so the tests hold them to the CLI's own models. Every call asks for JSON: the script parses
// what most of them print, and an operator's CLI may default to text or table.
import { DR_PREFIXES } from "../policies";

/** The copy the restore reads: bucket and region (SiteRestorePlan.copy). */
export interface CopyRef {
  readonly bucket: string;
  readonly region: string;
}

/** Where Velero keeps its backups inside the DR bucket (its backup storage location's prefix). */
export const VELERO_BACKUPS = `${DR_PREFIXES.velero}/backups/`;

const call = (args: readonly string[], region?: string): string[] => [
  ...args,
  ...(region ? ["--region", region] : []),
  "--output",
  "json",
];

export const awsCli = {
  listAccessKeys: (user: string) => call(["iam", "list-access-keys", "--user-name", user]),
  deactivateAccessKey: (user: string, id: string) =>
    call(["iam", "update-access-key", "--user-name", user, "--access-key-id", id, "--status", "Inactive"]),
  getUser: (user: string) => call(["iam", "get-user", "--user-name", user]),
  createAccessKey: (user: string) => call(["iam", "create-access-key", "--user-name", user]),
  deleteAccessKey: (user: string, id: string) =>
    call(["iam", "delete-access-key", "--user-name", user, "--access-key-id", id]),
  describeKey: (region: string, keyId: string) => call(["kms", "describe-key", "--key-id", keyId], region),
  /** The backups Velero wrote: one common prefix per backup name. */
  listVeleroBackups: (copy: CopyRef) =>
    call(
      ["s3api", "list-objects-v2", "--bucket", copy.bucket, "--prefix", VELERO_BACKUPS, "--delimiter", "/"],
      copy.region,
    ),
  /** One object of the copy, to a file or (`-`) to stdout. */
  download: (copy: CopyRef, key: string, to: string) =>
    call(["s3", "cp", `s3://${copy.bucket}/${key}`, to], copy.region),
  /** What is under a prefix of the copy (a check; the output is only shown). */
  list: (copy: CopyRef, prefix: string) => call(["s3", "ls", `s3://${copy.bucket}/${prefix}`], copy.region),
} as const;

/** An IAM user's access key, as create-access-key returns it. */
export interface AccessKey {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

/**
 * The environment of aws CLI calls made with one user's access key: the key in AWS's standard
 * variables, and nothing of the operator's own credentials that could mix in (a session token
 * would be sent with the long-term key and refused; a profile is not the key).
 */
export function accessKeyEnv(base: NodeJS.ProcessEnv, key: AccessKey): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const v of ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
    delete env[v];
  return { ...env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
}
