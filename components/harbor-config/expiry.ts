// Robot expiry arithmetic, as Harbor 2.15.2 computes it, and the scheduled renewal. Pure.
//
// goharbor/harbor v2.15.2: src/controller/robot/controller.go Create sets
// `expires_at = time.Now().AddDate(0, 0, duration).Unix()` (-1 for duration -1); a later change of
// `duration` (src/server/v2.0/handler/robot.go updateV2Robot) recomputes it from the robot's
// *creation* time, and a secret refresh (RefreshSec, PATCH /robots/{id}) leaves it alone. So a
// robot outlives its duration only by being created again: that is what a scheduled renewal does.

export const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;

/** Harbor's `expires_at` (Unix seconds, -1 never) of a robot created at `createdAt` (Unix seconds). */
export function harborExpiresAt(createdAt: number, durationDays: number): number {
  // Harbor's containers run in UTC, where AddDate(0, 0, n) adds exactly n days of seconds.
  return durationDays === -1 ? -1 : createdAt + durationDays * DAY_SECONDS;
}

/**
 * Days of warning before a robot expires when the robot does not say: 14, or half a shorter
 * life (none for a one-day robot: only RobotExpired speaks for it).
 */
export function defaultWarningDays(durationDays: number): number {
  if (durationDays === -1) return 14;
  return Math.min(14, Math.floor(durationDays / 2));
}

/**
 * The scheduled-renewal token of the period `nowMs` falls in: periods of `everyDays` counted from
 * the Unix epoch (UTC), named by their first day (`2026-08-01`). The same on every machine and
 * every run within a period; it changes, and the robot is created again, at the first `pulumi up`
 * of the next period.
 */
export function renewalToken(nowMs: number, everyDays: number): string {
  return new Date(periodStart(nowMs, everyDays)).toISOString().slice(0, 10);
}

/** When the period after the one `nowMs` falls in begins (ms): the next renewal is due. */
export function nextRenewal(nowMs: number, everyDays: number): number {
  return periodStart(nowMs, everyDays) + everyDays * DAY_MS;
}

function periodStart(nowMs: number, everyDays: number): number {
  if (!Number.isInteger(everyDays) || everyDays < 1) throw new RangeError(`everyDays ${everyDays}`);
  return Math.floor(nowMs / (everyDays * DAY_MS)) * everyDays * DAY_MS;
}

/**
 * Why a robot's lifetime settings cannot work together, or undefined. A renewal comes at most
 * `rotateEveryDays` after the robot was created (plus however late the next `pulumi up` runs),
 * so its life must cover that and the warning window, or the warning fires before every renewal.
 */
export function lifetimeProblem(
  durationDays: number,
  warningDays: number,
  rotateEveryDays?: number,
): string | undefined {
  if (durationDays === -1) return undefined;
  if (warningDays >= durationDays)
    return `less than the robot's duration (${durationDays} days): a warning from the day it is created says nothing`;
  if (rotateEveryDays !== undefined && rotateEveryDays + warningDays > durationDays)
    return (
      `rotateEveryDays + expiryWarningDays at most duration (${rotateEveryDays} + ${warningDays} > ${durationDays}): ` +
      "the robot would reach its warning window before each renewal"
    );
  return undefined;
}

export type ExpiryState = "never" | "valid" | "expiring" | "expired";

/** Where a robot stands at `nowSeconds`: the alert rules and the stack output say the same. */
export function expiryState(expiresAt: number, warningDays: number, nowSeconds: number): ExpiryState {
  if (expiresAt === -1) return "never";
  const left = expiresAt - nowSeconds;
  if (left <= 0) return "expired";
  return left < warningDays * DAY_SECONDS ? "expiring" : "valid";
}

/** What the stack output `robotExpiry` shows for a robot. */
export interface RobotExpiryView {
  /** RFC 3339 UTC, or "never". */
  readonly expiresAt: string;
  /** From when RobotExpiringSoon fires (RFC 3339 UTC); absent for a robot that never expires. */
  readonly warningFrom?: string;
  /** With rotateEveryDays: the day from which the next `pulumi up` creates the robot again. */
  readonly renewsFrom?: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

export function expiryView(
  expiresAt: number,
  warningDays: number,
  rotateEveryDays: number | undefined,
  nowMs: number,
): RobotExpiryView {
  return {
    expiresAt: expiresAt === -1 ? "never" : iso(expiresAt),
    ...(expiresAt === -1 ? {} : { warningFrom: iso(expiresAt - warningDays * DAY_SECONDS) }),
    ...(rotateEveryDays === undefined
      ? {}
      : { renewsFrom: new Date(nextRenewal(nowMs, rotateEveryDays)).toISOString().slice(0, 10) }),
  };
}
