// How often a Harbor schedule runs: Harbor's schedule types and its 6-field cron
// (second minute hour day-of-month month day-of-week, robfig/cron semantics), plus the
// `@daily`-style descriptors. Only the question the GC policy asks is answered: does it run
// at least every `maxDays` days?

const DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Expands one cron field into its set of values, or undefined when the field is malformed. */
export function expandField(
  field: string,
  min: number,
  max: number,
  names: string[] = [],
): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number | undefined => {
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + min;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of field.split(",")) {
    const m = /^(\*|\?|[\w]+(?:-[\w]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (m[1] === "*" || m[1] === "?") {
      lo = min;
      hi = max;
    } else if (m[1].includes("-")) {
      const [a, b] = m[1].split("-");
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(m[1]);
      hi = m[2] === undefined ? lo : max;
    }
    if (lo === undefined || hi === undefined || lo < min || hi > max || lo > hi) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out.size > 0 ? out : undefined;
}

export interface Cadence {
  /** Longest gap between two runs, in days (Infinity when it never runs on its own). */
  readonly maxGapDays: number;
  /** Why the schedule could not be read, if it could not. */
  readonly error?: string;
}

const DESCRIPTORS: Record<string, number> = {
  "@yearly": 366,
  "@annually": 366,
  "@monthly": 31,
  "@weekly": 7,
  "@daily": 1,
  "@midnight": 1,
  "@hourly": 1 / 24,
};

function durationDays(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "s" ? n : n / 1000;
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total / 86400 : undefined;
}

/** The cadence of a 6-field Harbor cron or a descriptor. */
export function cronCadence(cron: string): Cadence {
  const text = cron.trim();
  if (text.startsWith("@every ")) {
    const days = durationDays(text.slice(7).trim());
    return days === undefined
      ? { maxGapDays: Infinity, error: `unreadable duration in "${cron}"` }
      : { maxGapDays: days };
  }
  if (text.startsWith("@")) {
    const days = DESCRIPTORS[text.toLowerCase()];
    return days === undefined
      ? { maxGapDays: Infinity, error: `unknown descriptor "${cron}"` }
      : { maxGapDays: days };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) {
    return { maxGapDays: Infinity, error: `"${cron}" has ${fields.length} fields; Harbor's cron has 6` };
  }
  const [sec, min, hour, dom, month, dow] = fields;
  if (sec !== "0")
    return { maxGapDays: Infinity, error: `"${cron}": Harbor needs the seconds field to be 0` };
  const sets = [
    expandField(min, 0, 59),
    expandField(hour, 0, 23),
    expandField(dom, 1, 31),
    expandField(month, 1, 12, MONTH_NAMES),
    expandField(dow, 0, 6, DOW_NAMES),
  ];
  if (sets.some((s) => s === undefined))
    return { maxGapDays: Infinity, error: `"${cron}" is not a valid cron` };
  const [, , domSet, monthSet, dowSet] = sets as Set<number>[];
  if (monthSet.size < 12) return { maxGapDays: 366 - 31 * monthSet.size };
  const domStar = dom === "*" || dom === "?";
  const dowStar = dow === "*" || dow === "?";
  // robfig/cron: with both day fields restricted a day matches either; with one a star, the other rules.
  if (!dowStar) return { maxGapDays: circularGap([...dowSet], 7) };
  if (domStar) return { maxGapDays: 1 };
  // Days 29-31 are missing from some months: judge the day-of-month list over a 28-day cycle.
  return {
    maxGapDays: circularGap(
      [...domSet].filter((d) => d <= 28),
      28,
    ),
  };
}

function circularGap(days: number[], cycle: number): number {
  if (days.length === 0) return cycle + 3;
  const sorted = [...days].sort((a, b) => a - b);
  let gap = sorted[0] + cycle - sorted[sorted.length - 1];
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
  return gap;
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
  return cronCadence(cron);
}
