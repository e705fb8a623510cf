// The ONE place that knows how the program's Harbor configuration-as-code resources (dynamic
// providers in components/harbor-config, typed `pulumi-nodejs:dynamic/harbor:Harbor<Kind>`)
// spell their inputs. Rename a field here and every policy follows.
import type { Obj } from "./resources";

const PREFIX = "pulumi-nodejs:dynamic/harbor:";

/** The type token of each Harbor object the program manages, by the kind policies speak of. */
export const HARBOR_TYPES = {
  project: `${PREFIX}HarborProject`,
  gcSchedule: `${PREFIX}HarborGc`,
  systemSettings: `${PREFIX}HarborSettings`,
  robot: `${PREFIX}HarborRobot`,
} as const;

export const FIELDS = {
  /** project: storage quota in bytes; -1 means unlimited. */
  projectStorageLimit: "quotaBytes",
  /** gcSchedule: 6-field Harbor cron (seconds first, which must be 0). */
  gcCron: "cron",
  /** gcSchedule: Harbor schedule type (Hourly | Daily | Weekly | Custom | None | Manual). */
  gcScheduleType: "scheduleType",
  /** gcSchedule: whether GC deletes untagged artifacts. */
  gcDeleteUntagged: "deleteUntagged",
  /** systemSettings: Harbor configuration keys; `storage_per_project` is the default quota in bytes. */
  systemValues: "values",
  systemStoragePerProject: "storage_per_project",
} as const;

export type HarborKind = "project" | "gcSchedule" | "systemSettings" | "robot" | string;

export interface HarborProject {
  readonly kind: "project";
  readonly storageLimit: unknown;
}
export interface HarborGcSchedule {
  readonly kind: "gcSchedule";
  readonly cron: unknown;
  readonly scheduleType: unknown;
  readonly deleteUntagged: unknown;
}
export interface HarborSystemSettings {
  readonly kind: "systemSettings";
  readonly storagePerProject: unknown;
}

/** The Harbor kind of a resource, or undefined when it is not a Harbor configuration resource. */
export function harborKind(r: { type: string; props: Obj }): HarborKind | undefined {
  if (!r.type.startsWith(PREFIX)) return undefined;
  const known = Object.entries(HARBOR_TYPES).find(([, type]) => type === r.type);
  return known ? known[0] : r.type.slice(PREFIX.length);
}

export function asProject(r: { type: string; props: Obj }): HarborProject | undefined {
  if (harborKind(r) !== "project") return undefined;
  return { kind: "project", storageLimit: r.props[FIELDS.projectStorageLimit] };
}

export function asGcSchedule(r: { type: string; props: Obj }): HarborGcSchedule | undefined {
  if (harborKind(r) !== "gcSchedule") return undefined;
  return {
    kind: "gcSchedule",
    cron: r.props[FIELDS.gcCron],
    scheduleType: r.props[FIELDS.gcScheduleType],
    deleteUntagged: r.props[FIELDS.gcDeleteUntagged],
  };
}

export function asSystemSettings(r: { type: string; props: Obj }): HarborSystemSettings | undefined {
  if (harborKind(r) !== "systemSettings") return undefined;
  const values = r.props[FIELDS.systemValues];
  const storagePerProject =
    values && typeof values === "object" ? (values as Obj)[FIELDS.systemStoragePerProject] : undefined;
  return { kind: "systemSettings", storagePerProject };
}

/** True when the stack manages Harbor's configuration through the API at all. */
export function managesHarborConfig(resources: readonly { type: string; props: Obj }[]): boolean {
  return resources.some((r) => harborKind(r) !== undefined);
}

/** A quota in bytes that is finite: a positive integer (Harbor's -1 means unlimited). */
export function isFiniteQuota(v: unknown): boolean {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}
