// Reading Secrets straight out of a Velero backup in the DR bucket, without Velero: a rebuilt
// site installs its own Velero, and restoring Secrets through it would collide with the ones
// the stack creates. The script downloads and unpacks; these functions decide and read.
// Layout from vmware-tanzu/velero (pkg/persistence/object_store_layout.go: backups/<name>/<name>.tar.gz;
// pkg/backup/item_backupper.go: each item at resources/<group-resource>/[<version>-preferredversion/]namespaces/<ns>/<name>.json).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Object key of a backup's contents under the BackupStorageLocation's prefix. */
export function backupContentsKey(prefix: string, backup: string): string {
  return `${prefix}/backups/${backup}/${backup}.tar.gz`;
}

/** Object key of a backup's own record (its phase and completion time). */
export function backupRecordKey(prefix: string, backup: string): string {
  return `${prefix}/backups/${backup}/velero-backup.json`;
}

export interface BackupRecord {
  readonly metadata?: { readonly name?: string };
  readonly status?: { readonly phase?: string; readonly completionTimestamp?: string };
}

/** The newest backup that completed (a partially failed one may lack the Secrets). */
export function newestCompleted(records: readonly BackupRecord[]): string {
  const done = records
    .filter((r) => r.status?.phase === "Completed" && r.status.completionTimestamp && r.metadata?.name)
    .sort(
      (a, b) =>
        Date.parse(b.status?.completionTimestamp ?? "") - Date.parse(a.status?.completionTimestamp ?? ""),
    );
  if (done.length === 0) throw new Error("no completed Velero backup in the copy");
  return done[0].metadata?.name as string;
}

/** Whether an archive entry is the Secret `namespace/name` (either layout Velero writes). */
export function isSecretEntry(entry: string, namespace: string, name: string): boolean {
  const path = entry.replace(/^\.\//, "");
  return (
    path === `resources/secrets/namespaces/${namespace}/${name}.json` ||
    path === `resources/secrets/v1-preferredversion/namespaces/${namespace}/${name}.json`
  );
}

/** One key of a Secret as the API server returned it to Velero (`data` is base64). */
export function secretValue(secretJson: string, key: string, what: string): string {
  const secret = JSON.parse(secretJson) as { data?: Record<string, string> };
  const encoded = secret.data?.[key];
  if (encoded === undefined) throw new Error(`${what}: the backed-up Secret has no key ${key}`);
  return Buffer.from(encoded, "base64").toString("utf8");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Where one secret value lives in the backup and the stack key it goes to (plan.ts restoredSecretSources). */
export interface SecretInBackup {
  readonly configKey: string;
  readonly namespace: string;
  readonly secret: string;
  readonly key: string;
}

/** The values of `wanted` from an unpacked backup, by stack key; a missing Secret or key stops. */
export function readBackedUpSecrets(dir: string, wanted: readonly SecretInBackup[]): Record<string, string> {
  const entries = filesUnder(dir).map((p) => relative(dir, p));
  return Object.fromEntries(
    wanted.map((w) => {
      const entry = entries.find((e) => isSecretEntry(e, w.namespace, w.secret));
      if (!entry) throw new Error(`the backup holds no Secret ${w.namespace}/${w.secret}`);
      const value = secretValue(readFileSync(join(dir, entry), "utf8"), w.key, `${w.namespace}/${w.secret}`);
      return [w.configKey, value];
    }),
  );
}
