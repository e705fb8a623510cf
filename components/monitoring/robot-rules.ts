// Alerts on Harbor robots' expiry. Harbor exports no robot metric, and its expiry changes only
// when the program creates or changes the robot: each robot's `expires_at` (from Harbor's answer,
// kept in state) is a constant of the rule, compared with Prometheus's clock. A robot renewed
// or changed outside this program is seen at the next `pulumi refresh`/`up`, which rewrites it.
import type { AlertingConfig } from "../../config/observability";
import type { RobotExpiry } from "../harbor-config/index";
import { ruleFactory, type RuleGroup } from "./rules";

const DAY_SECONDS = 86_400;

/** A PromQL string literal's content, and label_replace's replacement (where `$` expands). */
const replacement = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "$$$$");

/** Seconds until `expiresAt`, as one series labelled robot=<key>. */
export function secondsLeft(key: string, expiresAt: number): string {
  return `label_replace(vector(${expiresAt} - time()), "robot", "${replacement(key)}", "", "")`;
}

/** RobotExpiringSoon and RobotExpired over every robot that expires; undefined when none does. */
export function robotExpiryRules(
  robots: Readonly<Record<string, RobotExpiry>>,
  a: AlertingConfig,
): RuleGroup | undefined {
  const expiring = Object.entries(robots)
    .filter(([, e]) => e.expiresAt !== -1)
    .sort(([x], [y]) => x.localeCompare(y));
  if (expiring.length === 0) return undefined;
  const rule = ruleFactory(a);
  return {
    name: "harbor-platform.robots",
    rules: [
      rule(
        "RobotExpiringSoon",
        `(${expiring
          .map(([k, e]) => `${secondsLeft(k, e.expiresAt)} < ${e.warningDays * DAY_SECONDS}`)
          .join(" or ")}) > 0`,
        "0m",
        "warning",
        "A Harbor robot account expires soon",
        "Robot {{ $labels.robot }} expires in {{ $value | humanizeDuration }}; CI using it will be refused then. Renew it (rotateEveryDays, or a longer duration) and run pulumi up.",
      ),
      rule(
        "RobotExpired",
        `(${expiring.map(([k, e]) => secondsLeft(k, e.expiresAt)).join(" or ")}) <= 0`,
        "0m",
        "critical",
        "A Harbor robot account has expired",
        "Robot {{ $labels.robot }} has expired: Harbor refuses its logins. Renew it and hand the new secret to its users.",
      ),
    ],
  };
}
