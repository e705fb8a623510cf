// Site-loss restore of the prod stack: a person runs it against a new, empty cluster (kube
// context) with AWS credentials of the DR account. The plan (components/dr/site-restore) says
// which steps run in which order; this file only does their I/O through the Pulumi Automation
// API, the aws CLI, kubectl and tar. Without --execute it prints the plan and changes nothing.
//
//   npx ts-node scripts/site-restore.ts --stack prod --source primary|replica --state present|lost \
//     [--server-name harbor-pg] [--target-time 2026-03-01T10:30:00Z] [--execute]
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { decodeStackConfig, parseConfig, projectKeys, type PlatformConfig } from "../config";
import { DR_PREFIXES } from "../components/dr/policies";
import {
  VELERO_BACKUPS,
  accessKeyEnv,
  awsCli,
  type AccessKey,
  type CopyRef,
} from "../components/dr/site-restore/aws-cli";
import {
  accessKeyUrns,
  adoptionPlan,
  awsStateUrns,
  dropFromDeployment,
  iamUserResources,
  iamUsers,
  keyLookups,
  planned,
  refreshTargets,
  type Deployment,
  type PlannedResource,
} from "../components/dr/site-restore/lost-state";
import {
  restoredSecretSources,
  siteRestorePlan,
  type SiteRestorePlan,
  type Source,
  type StateSituation,
  type StepId,
} from "../components/dr/site-restore/plan";
import {
  backupContentsKey,
  backupRecordKey,
  newestCompleted,
  readBackedUpSecrets,
  type BackupRecord,
} from "../components/dr/site-restore/velero";
import { CLUSTER_NAME, DATABASE_NAMESPACE, MINIO_NAMESPACE } from "../components/platform/prod";

const PROJECT = "harbor-platform";
const ROOT = resolve(__dirname, "..");
const run = promisify(execFile);

async function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  console.log(`  $ ${cmd} ${args.join(" ")}`);
  const { stdout } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...(env ? { env } : {}) });
  return stdout;
}
/** One aws CLI call built by awsCli (JSON output, region where it has one). */
const aws = (args: readonly string[], env?: NodeJS.ProcessEnv) => sh("aws", [...args], env);

/**
 * Runs `reads` as IAM user `user` with a temporary access key, created with the operator's
 * credentials and deleted afterwards whatever happens. Only the stack's DR users may decrypt
 * the copy (the key policy gives the account administration, not use), and fencing deleted
 * their keys.
 */
async function asUser<T>(user: string, reads: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const { AccessKey } = JSON.parse(await aws(awsCli.createAccessKey(user))) as { AccessKey: AccessKey };
  try {
    return await reads(accessKeyEnv(process.env, AccessKey));
  } finally {
    await aws(awsCli.deleteAccessKey(user, AccessKey.AccessKeyId));
  }
}

/** A new access key takes a few seconds to be accepted everywhere (IAM is eventually consistent). */
async function whenAccepted<T>(what: () => Promise<T>, tries = 12, pauseMs = 5000): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (err) {
      if (i >= tries) throw err;
      console.log(`  not yet accepted (${i}/${tries}), retrying in ${pauseMs / 1000} s`);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/** The stack's config through the program's own parser: a change the program refuses stops here. */
async function platformConfig(stack: Stack): Promise<PlatformConfig> {
  const all = await stack.getAllConfig();
  // Keys stored as secrets, as the program learns them: a refusal never shows their values.
  const secretKeys = projectKeys(
    Object.keys(all).filter((k) => all[k].secret === true),
    PROJECT,
  );
  const texts = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.value]));
  return parseConfig(decodeStackConfig(texts, PROJECT, secretKeys), { secretKeys });
}

/** Every resource the program would register now, as the engine plans it. */
async function previewed(stack: Stack): Promise<PlannedResource[]> {
  const out = new Map<string, PlannedResource>();
  const onEvent = (e: EngineEvent) => {
    const m = e.resourcePreEvent?.metadata;
    const s = m?.new ?? m?.old;
    if (s) out.set(s.urn, planned([s])[0]);
  };
  await stack.preview({ onEvent });
  return [...out.values()];
}

async function stateResources(stack: Stack): Promise<PlannedResource[]> {
  const d = (await stack.exportStack()) as unknown as Deployment;
  return planned(d.deployment.resources ?? []);
}

async function applyConfig(stack: Stack, plan: SiteRestorePlan, step: StepId): Promise<void> {
  for (const c of plan.config.filter((x) => x.step === step)) {
    console.log(`  config ${c.value === undefined ? "rm" : "set"} ${c.path ? "--path " : ""}${c.key}`);
    if (c.value === undefined) await stack.removeConfig(c.key, c.path);
    else await stack.setConfig(c.key, { value: c.value }, c.path);
  }
}

async function fence(deleteKeys: boolean, users: string[]): Promise<void> {
  for (const user of users) {
    const { AccessKeyMetadata } = JSON.parse(await aws(awsCli.listAccessKeys(user))) as {
      AccessKeyMetadata: { AccessKeyId: string }[];
    };
    for (const k of AccessKeyMetadata) {
      await aws(awsCli.deactivateAccessKey(user, k.AccessKeyId));
      if (deleteKeys) await aws(awsCli.deleteAccessKey(user, k.AccessKeyId));
    }
  }
}

async function readHarborSecrets(stack: Stack, cfg: PlatformConfig, plan: SiteRestorePlan) {
  console.log(`  reading as ${plan.reader} (a temporary access key)`);
  const dir = await asUser(plan.reader, (env) => downloadNewestBackup(plan.copy, env));
  const sources = Object.values(
    restoredSecretSources({
      harborNamespace: cfg.namespace,
      databaseNamespace: DATABASE_NAMESPACE,
      clusterName: CLUSTER_NAME,
    }),
  );
  for (const [key, value] of Object.entries(readBackedUpSecrets(dir, sources))) {
    const s = sources.find((x) => x.configKey === key);
    console.log(`  config set --secret ${PROJECT}:${key} (from ${s?.namespace}/${s?.secret} key ${s?.key})`);
    await stack.setConfig(`${PROJECT}:${key}`, { value, secret: true });
  }
}

/** The newest completed Velero backup of the copy, unpacked into a new directory. */
async function downloadNewestBackup(copy: CopyRef, env: NodeJS.ProcessEnv): Promise<string> {
  const listing = await whenAccepted(() => aws(awsCli.listVeleroBackups(copy), env));
  const names = (
    (JSON.parse(listing || "{}") as { CommonPrefixes?: { Prefix: string }[] }).CommonPrefixes ?? []
  ).map((p) => p.Prefix.slice(VELERO_BACKUPS.length).replace(/\/$/, ""));
  const records: BackupRecord[] = [];
  for (const name of names) {
    records.push(
      JSON.parse(
        await aws(awsCli.download(copy, backupRecordKey(DR_PREFIXES.velero, name), "-"), env),
      ) as BackupRecord,
    );
  }
  const backup = newestCompleted(records);
  console.log(`  newest completed Velero backup under s3://${copy.bucket}/${VELERO_BACKUPS}: ${backup}`);
  const dir = mkdtempSync(join(tmpdir(), "site-restore-"));
  const archive = join(dir, "backup.tar.gz");
  await aws(awsCli.download(copy, backupContentsKey(DR_PREFIXES.velero, backup), archive), env);
  await sh("tar", ["-xzf", archive, "-C", dir]);
  return dir;
}

/** Whether IAM has the user; only its NoSuchEntity answer means no. */
async function iamUserExists(user: string): Promise<boolean> {
  try {
    await aws(awsCli.getUser(user));
    return true;
  } catch (err) {
    if (/NoSuchEntity/.test(String((err as { stderr?: string }).stderr))) return false;
    throw err;
  }
}

async function adopt(stack: Stack, stateSituation: StateSituation): Promise<void> {
  const plannedNow = await previewed(stack);
  const existing = new Set((await stateResources(stack)).map((r) => r.urn));
  const keyIds: Record<string, string> = {};
  for (const k of keyLookups(plannedNow)) {
    const out = JSON.parse(await aws(awsCli.describeKey(k.region, k.alias))) as {
      KeyMetadata: { KeyId: string };
    };
    keyIds[k.keyUrn] = out.KeyMetadata.KeyId;
  }
  const absent = new Set<string>();
  for (const u of iamUserResources(plannedNow)) {
    if (!(await iamUserExists(u.name))) absent.add(u.urn);
  }
  if (absent.size > 0)
    console.log(`  created by up, not imported (no such IAM user): ${[...absent].join(" ")}`);
  const p = adoptionPlan(plannedNow, keyIds, { existing, absent });
  if (p.createFirst.length > 0) {
    console.log(`  up --target ${p.createFirst.join(" ")}`);
    await stack.up({ target: p.createFirst, onOutput: (o) => process.stdout.write(o) });
  }
  console.log(
    `  import ${p.resources.map((r) => `${r.type} ${r.id ?? "(component)"}`).join(", ")} (state ${stateSituation})`,
  );
  await stack.import({ resources: p.resources, nameTable: p.nameTable, protect: false, generateCode: false });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "prod" },
      source: { type: "string" },
      state: { type: "string" },
      "server-name": { type: "string" },
      "target-time": { type: "string" },
      execute: { type: "boolean", default: false },
    },
  });
  const source = values.source as Source;
  const state = values.state as StateSituation;
  if (!["primary", "replica"].includes(source) || !["present", "lost"].includes(state)) {
    throw new Error("--source primary|replica and --state present|lost are required");
  }
  // A lost state means a new, empty stack (init it with the old secrets provider: the stack file's
  // encrypted config must stay readable).
  const stack =
    state === "lost"
      ? await LocalWorkspace.createOrSelectStack({ stackName: values.stack as string, workDir: ROOT })
      : await LocalWorkspace.selectStack({ stackName: values.stack as string, workDir: ROOT });
  const before = await platformConfig(stack);
  if (!before.dr) throw new Error(`stack ${values.stack} has no DR (topology prod only)`);
  const b = before.dr.bucket;
  const previous = before.dr.restore;
  // After an earlier restore the cluster archives under that restore's archiveServerName.
  const serverName = values["server-name"] ?? (previous.enabled ? previous.archiveServerName : CLUSTER_NAME);
  const plan = siteRestorePlan({
    source,
    state,
    dr: {
      bucketName: b.bucketName,
      region: b.region,
      replicaBucketName: b.replicaBucketName,
      replicaRegion: b.replicaRegion,
    },
    serverName,
    ...(values["target-time"] ? { targetTime: values["target-time"] } : {}),
    now: new Date(),
  });
  console.log(
    `Restore from s3://${plan.copy.bucket} (${plan.copy.region}), state ${state}; new archive ${plan.archiveServerName}`,
  );
  plan.steps.forEach((s, i) =>
    console.log(`${i + 1}. [${s.id}] ${s.title}${s.automated ? "" : " (by hand)"}`),
  );
  console.log("Config changes:");
  for (const c of plan.config)
    console.log(
      `  ${c.value === undefined ? "rm " : "set"} ${c.key}${c.value === undefined ? "" : ` = ${c.value}`}`,
    );
  if (!values.execute) {
    console.log("Plan only: run again with --execute to carry it out.");
    return;
  }

  const steps: Record<StepId, () => Promise<void>> = {
    "check-copy": async () => {
      const backups = before.prod?.objectStore.buckets.backups;
      const base = `${DR_PREFIXES.mirror}/${backups}/${serverName}`;
      await aws(awsCli.list(plan.copy, `${base}/base/`));
      await aws(awsCli.list(plan.copy, `${base}/wals/`));
      await aws(awsCli.list(plan.copy, VELERO_BACKUPS));
    },
    "fence-old-site": async () =>
      fence(
        plan.fenceDeletesKeys,
        iamUsers(state === "present" ? await stateResources(stack) : await previewed(stack)),
      ),
    "read-harbor-secrets": () => readHarborSecrets(stack, before, plan),
    "switch-region": () => applyConfig(stack, plan, "switch-region"),
    "set-restore-switch": async () => {
      await applyConfig(stack, plan, "set-restore-switch");
      // The program's own parser: a combination it would refuse stops the restore here.
      await platformConfig(stack);
    },
    "drop-aws-state": async () => {
      const d = (await stack.exportStack()) as unknown as Deployment;
      const urns = awsStateUrns(planned(d.deployment.resources ?? []));
      console.log(`  dropping ${urns.length} AWS resources from the state`);
      await stack.importStack(dropFromDeployment(d, urns) as unknown as Parameters<Stack["importStack"]>[0]);
    },
    "adopt-aws": () => adopt(stack, state),
    refresh: async () => {
      const target = refreshTargets(await stateResources(stack));
      if (target.length > 0) await stack.refresh({ target, onOutput: (o) => process.stdout.write(o) });
    },
    up: async () => {
      const replace = state === "present" ? accessKeyUrns(await stateResources(stack)) : [];
      await stack.up({ replace, onOutput: (o) => process.stdout.write(o) });
    },
    verify: async () => {
      const cfg = await platformConfig(stack);
      await sh("kubectl", [
        "-n",
        DATABASE_NAMESPACE,
        "wait",
        `cluster/${CLUSTER_NAME}`,
        "--for=condition=Ready",
        "--timeout=30m",
      ]);
      await sh("kubectl", [
        "-n",
        cfg.namespace,
        "wait",
        "pod",
        "-l",
        "app=harbor",
        "--for=condition=Ready",
        "--timeout=30m",
      ]);
      if (cfg.prod?.objectStore.mode === "minio") {
        await sh("kubectl", [
          "-n",
          MINIO_NAMESPACE,
          "wait",
          "job/dr-refill",
          "--for=condition=Complete",
          "--timeout=1m",
        ]);
      }
    },
    "dns-and-trust": async () => {
      console.log("  By hand: point the Harbor hostname at the new ingress.");
      if (state === "lost")
        console.log("  The root CA is new: distribute `pulumi stack output caCert` to every client.");
    },
  };
  for (const step of plan.steps) {
    console.log(`\n== [${step.id}] ${step.title}`);
    await steps[step.id]();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
