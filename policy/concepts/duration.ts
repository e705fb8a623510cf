// Durations. Go's, as time.ParseDuration reads them (src/time/format.go): an optional sign,
// then one or more decimal numbers each with a unit (ns, us, µs, μs, ms, s, m, h); "0" alone
// needs no unit. Harbor's upload purge age, Velero's TTL and robfig/cron's `@every` are Go
// durations, so this is the one reader of them. And barman-cloud's retention policy (`30d`),
// which is its own format.

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const TERM = /([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/y;
const LIMIT = 2n ** 63n;

/**
 * Go's leadingFraction: digits stop counting once they would overflow an int64, and the
 * fraction is scaled in float64 and truncated, as in `int64(float64(f) * (float64(unit) / scale))`.
 */
function fractionNanos(digits: string, unit: bigint): bigint {
  let f = 0n;
  let scale = 1;
  for (const d of digits) {
    const next = f * 10n + BigInt(d);
    if (f > (LIMIT - 1n) / 10n || next > LIMIT) break;
    f = next;
    scale *= 10;
  }
  return BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
}

/** The length in nanoseconds of a Go duration, or undefined when Go would refuse the text. */
export function goDurationNanos(text: string): bigint | undefined {
  let s = text;
  const negative = s.startsWith("-");
  if (negative || s.startsWith("+")) s = s.slice(1);
  if (s === "0") return 0n;
  if (s === "") return undefined;
  let total = 0n;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const m = TERM.exec(s);
    if (m === null) return undefined;
    const [, whole, fraction = "", unitName] = m;
    const unit = UNIT_NANOS[unitName];
    // Go wants a digit before or after the dot, and a known unit after every number.
    if ((whole === "" && fraction === "") || unit === undefined) return undefined;
    total += BigInt(whole || "0") * unit + fractionNanos(fraction, unit);
    if (total > LIMIT) return undefined;
  }
  // An int64: down to -2^63, up to 2^63-1.
  if (!negative && total === LIMIT) return undefined;
  return negative ? -total : total;
}

/** The same in seconds (a double: exact to the microsecond for any duration this project sets). */
export function goDurationSeconds(text: string): number | undefined {
  const nanos = goDurationNanos(text);
  return nanos === undefined ? undefined : Number(nanos) / 1e9;
}

const RETENTION = /^([1-9][0-9]*)([dwm])$/;

/**
 * A barman-cloud retention policy: a positive count of days, weeks or months (the ObjectStore
 * CRD's retentionPolicy pattern, plugin-barman-cloud v0.14.0); undefined when refused.
 */
export function barmanRetention(
  text: string,
): { readonly count: number; readonly unit: "d" | "w" | "m" } | undefined {
  const m = RETENTION.exec(text);
  return m ? { count: Number(m[1]), unit: m[2] as "d" | "w" | "m" } : undefined;
}
