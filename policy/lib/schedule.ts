// How often a Harbor schedule runs: Harbor's schedule types, or its 6-field cron read and
// measured by policy/concepts/cron.ts, the code the stack config validates it with. Only the
// question the GC policy asks is answered: does it run at least every `maxDays` days?
import { CRON_DIALECTS, parseCron } from "../concepts/cron";

export interface Cadence {
  /** Longest gap between two runs, in days (Infinity when it never runs on its own). */
  readonly maxGapDays: number;
  /** Why the schedule could not be read, if it could not. */
  readonly error?: string;
}

const TYPE_DAYS: Record<string, number> = { hourly: 1 / 24, daily: 1, weekly: 7 };

/** The cadence of a Harbor schedule given as a type (Hourly|Daily|Weekly|Custom|None|Manual) and cron. */
export function scheduleCadence(type: unknown, cron: unknown): Cadence {
  const t = typeof type === "string" ? type.toLowerCase() : undefined;
  if (t !== undefined && t in TYPE_DAYS) return { maxGapDays: TYPE_DAYS[t] };
  if (t === "none" || t === "manual")
    return { maxGapDays: Infinity, error: `schedule type ${type} never runs by itself` };
  if (typeof cron !== "string" || cron.trim() === "") {
    return { maxGapDays: Infinity, error: "no cron and no periodic schedule type" };
  }
  const parsed = parseCron(cron, "harbor");
  if (!parsed.ok) {
    const why = parsed.reason === undefined ? "" : `; ${parsed.reason}`;
    return { maxGapDays: Infinity, error: `"${cron}" is not ${CRON_DIALECTS.harbor.allowed}${why}` };
  }
  return { maxGapDays: parsed.schedule.maxGapSeconds / 86_400 };
}
