// Cron schedules as the Go schedulers this project feeds read them, validated and measured
// (longest gap between two runs) in one place for the stack config and the policy pack.
// All of them use robfig/cron: v3's ParseStandard for Kubernetes CronJobs and Velero
// (5 fields); v3 with a seconds field for Harbor (goharbor/harbor src/common/utils/utils.go:
// CronParser, ValidateCronString); v1's Parse for CloudNativePG (its ScheduledBackup CRD links
// robfig/cron's format). The field grammar below is robfig's (parser.go, spec.go at v3.0.1:
// names only in month and day-of-week, day-of-week 0-6, `?` as `*`, `N/step` as
// `N-max/step`); the runs themselves come from cron-parser, which shares robfig's
// day-of-month OR day-of-week rule.
import { CronExpressionParser, type CronExpression } from "cron-parser";
import { goDurationSeconds } from "./duration";

export type CronDialect = "kubernetes" | "velero" | "cloudnativepg" | "harbor";

interface DialectRules {
  readonly fields: 5 | 6;
  /** `@yearly` ... `@hourly` */
  readonly descriptors: boolean;
  /** `@every <Go duration>` */
  readonly every: boolean;
  /** Harbor refuses a seconds field other than "0". */
  readonly secondsZero: boolean;
  /** What the config error says is allowed. */
  readonly allowed: string;
}

export const CRON_DIALECTS: Readonly<Record<CronDialect, DialectRules>> = {
  // ParseStandard accepts @every too; CronJobs here are documented as clock schedules.
  kubernetes: {
    fields: 5,
    descriptors: true,
    every: false,
    secondsZero: false,
    allowed: "a cron schedule (5 fields, UTC) or @hourly/@daily, like '*/15 * * * *'",
  },
  velero: {
    fields: 5,
    descriptors: true,
    every: true,
    secondsZero: false,
    allowed: "a cron schedule (5 fields, UTC) or @every <duration>, like '0 */6 * * *'",
  },
  // robfig v1 also reads 5 fields, as seconds first with day-of-week left out: a CronJob-style
  // schedule would then run every hour. Only six fields are accepted.
  cloudnativepg: {
    fields: 6,
    descriptors: false,
    every: false,
    secondsZero: false,
    allowed: "a six-field cron with seconds first, like 0 0 2 * * *",
  },
  // Harbor's CronParser has no Descriptor flag: @daily is refused by Harbor's API.
  harbor: {
    fields: 6,
    descriptors: false,
    every: false,
    secondsZero: true,
    allowed:
      "a 6-field cron (seconds minutes hours day-of-month month day-of-week) whose seconds field is 0, like 0 0 3 * * 6",
  },
};

export interface CronSchedule {
  /** The schedule as given, trimmed, fields one space apart. */
  readonly text: string;
  /** Longest time between two runs, in seconds (UTC). */
  readonly maxGapSeconds: number;
  /** The first run strictly after `after`. */
  next(after: Date): Date;
}

export type CronResult =
  { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly reason?: string };

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS: readonly Field[] = [
  { name: "seconds", min: 0, max: 59 },
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

// robfig's parseDescriptor, seconds first.
const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 0 1 1 *",
  "@annually": "0 0 0 1 1 *",
  "@monthly": "0 0 0 1 * *",
  "@weekly": "0 0 0 * * 0",
  "@daily": "0 0 0 * * *",
  "@midnight": "0 0 0 * * *",
  "@hourly": "0 0 * * * *",
};

const RANGE = /^(?:(\*|\?)|([0-9]+|[a-zA-Z]+)(?:-([0-9]+|[a-zA-Z]+))?)(?:\/([0-9]+))?$/;

/** One field in robfig's grammar, rewritten with numbers for cron-parser; undefined when refused. */
function normalizeField(text: string, f: Field): string | undefined {
  const atom = (s: string): number | undefined => {
    if (/^[0-9]+$/.test(s)) return Number(s);
    const i = f.names?.indexOf(s.toLowerCase()) ?? -1;
    return i < 0 ? undefined : i + f.min;
  };
  const out: string[] = [];
  for (const part of text.split(",")) {
    const m = RANGE.exec(part);
    if (!m) return undefined;
    const step = m[4] === undefined ? undefined : Number(m[4]);
    if (step !== undefined && step < 1) return undefined;
    let from = f.min;
    let to = f.max;
    if (m[1] === undefined) {
      const a = atom(m[2]);
      const b = m[3] === undefined ? (step === undefined ? a : f.max) : atom(m[3]);
      if (a === undefined || b === undefined) return undefined;
      [from, to] = [a, b];
    }
    if (from < f.min || to > f.max || from > to) return undefined;
    // `*` (and `*/1`) keeps robfig's star bit, which decides the day-of-month/week rule.
    const range = m[1] !== undefined ? "*" : `${from}-${to}`;
    out.push(step === undefined ? range : `${range}/${step}`);
  }
  return out.join(",");
}

const DAY = 86_400;
// Two years from a Saturday: every weekly, monthly and yearly pattern repeats inside it.
const WINDOW_START = Date.UTC(2028, 0, 1);
const WINDOW_END = Date.UTC(2030, 0, 1);

function expression(text: string, at: number): CronExpression {
  return CronExpressionParser.parse(text, { tz: "UTC", currentDate: new Date(at) });
}

/**
 * Longest gap of a field schedule: the largest step between two runs of one day, or from
 * the last run of a day to the first of the next day it runs on (cron-parser's next()).
 */
function longestGap(text: string): number | undefined {
  if (!GAPS.has(text)) GAPS.set(text, measureGap(text));
  return GAPS.get(text);
}

// Each default schedule is measured once per process, not at every config parse.
const GAPS = new Map<string, number | undefined>();

function measureGap(text: string): number | undefined {
  const c = expression(text, WINDOW_START - 1000);
  const f = c.fields;
  const times: number[] = [];
  for (const h of f.hour.values)
    for (const m of f.minute.values)
      for (const s of f.second.values) times.push(h * 3600 + Number(m) * 60 + Number(s));
  times.sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  const first = times[0];
  const last = times[times.length - 1];
  const [, , , dom, month, dow] = text.split(" ");
  if (dom === "*" && month === "*" && dow === "*") return Math.max(gap, DAY - last + first);
  let previousDay: number | undefined;
  let runs = 0;
  for (;;) {
    const run = c.next().getTime() / 1000;
    if (run >= WINDOW_END / 1000) break;
    const day = Math.floor(run / DAY) * DAY;
    if (previousDay !== undefined) gap = Math.max(gap, day + first - (previousDay + last));
    previousDay = day;
    runs++;
    c.reset(new Date((day + last) * 1000));
  }
  return runs < 2 ? undefined : gap;
}

/** Reads `value` as a schedule of `dialect`, or says why it cannot be one. */
export function parseCron(value: string, dialect: CronDialect): CronResult {
  const rules = CRON_DIALECTS[dialect];
  // One space between fields: Harbor's seconds check splits on single spaces.
  const text = value.trim().split(/\s+/).join(" ");
  if (/^(CRON_)?TZ=/.test(text)) return { ok: false, reason: "no time zone prefix: schedules run in UTC" };
  if (text.startsWith("@every ") || text === "@every") {
    if (!rules.every) return { ok: false, reason: "@every is not accepted here" };
    const seconds = goDurationSeconds(text.slice("@every".length).trim());
    if (seconds === undefined || seconds < 1)
      return { ok: false, reason: "@every needs a duration of at least 1s" };
    return {
      ok: true,
      schedule: { text, maxGapSeconds: seconds, next: (after) => new Date(after.getTime() + seconds * 1000) },
    };
  }
  let spec: string;
  if (text.startsWith("@")) {
    if (!rules.descriptors) return { ok: false, reason: "descriptors like @daily are not accepted here" };
    const expanded = DESCRIPTORS[text];
    if (expanded === undefined) return { ok: false, reason: `unknown descriptor ${text}` };
    spec = expanded;
  } else {
    const fields = text.split(" ");
    if (fields.length !== rules.fields) return { ok: false };
    const full = rules.fields === 5 ? ["0", ...fields] : fields;
    const normalized: string[] = [];
    for (let i = 0; i < FIELDS.length; i++) {
      const n = normalizeField(full[i], FIELDS[i]);
      if (n === undefined) return { ok: false, reason: `bad ${FIELDS[i].name} field ${full[i]}` };
      normalized.push(n);
    }
    if (rules.secondsZero && fields[0] !== "0") return { ok: false, reason: "the seconds field must be 0" };
    spec = normalized.join(" ");
  }
  let gap: number | undefined;
  try {
    gap = longestGap(spec);
  } catch {
    gap = undefined;
  }
  if (gap === undefined) return { ok: false, reason: "it runs less than twice in two years" };
  return {
    ok: true,
    schedule: {
      text,
      maxGapSeconds: gap,
      next: (after) => expression(spec, after.getTime()).next().toDate(),
    },
  };
}
