// A robot's day-2 fields in harborConfig.robots[]: scheduled renewal, the expiry warning, and
// pull Secrets in named namespaces. Kept apart from config/harbor-config.ts so the robot's own
// section (name, access, duration, rotation) and these can be merged into one schema.
import { z } from "zod";
import { defaultWarningDays, lifetimeProblem } from "../../components/harbor-config/expiry";
import { ConfigError } from "../validate";
import { integer, k8sName, listOf } from "./define";

export const ROBOT_DELIVERY_FIELDS = {
  rotateEveryDays: integer(1, 3650).optional().meta({
    doc: "create the robot again (new secret, new expiry) at the first `pulumi up` of each period of this many days, counted from 1970-01-01 UTC",
    defaultText: "unset: no scheduled renewal",
  }),
  expiryWarningDays: integer(1, 3650).optional().meta({
    doc: "days before expiry from which RobotExpiringSoon fires",
    defaultText: "14, or half a shorter duration",
  }),
  pullSecretNamespaces: listOf(k8sName(), 1).optional().meta({
    doc: "existing namespaces that get a kubernetes.io/dockerconfigjson Secret with the robot's user and secret",
    defaultText: "none",
  }),
};

/** The day-2 fields as the robot's schema section parsed them. */
export type RobotDeliveryValues = z.output<z.ZodObject<typeof ROBOT_DELIVERY_FIELDS>>;

export interface RobotDeliverySpec {
  /** Scheduled renewal period in days (the robot is created again); none when undefined. */
  readonly rotateEveryDays?: number;
  readonly expiryWarningDays: number;
  /** Namespaces that get a dockerconfigjson pull Secret (empty: none). */
  readonly pullSecretNamespaces: readonly string[];
}

/** The day-2 fields of the robot at `key`, checked against its duration. */
export function robotDelivery(key: string, v: RobotDeliveryValues, durationDays: number): RobotDeliverySpec {
  const warning = v.expiryWarningDays ?? defaultWarningDays(durationDays);
  const problem = lifetimeProblem(durationDays, warning, v.rotateEveryDays);
  if (problem) {
    const field = warning >= durationDays ? "expiryWarningDays" : "rotateEveryDays";
    throw new ConfigError(`${key}.${field}`, v[field], problem);
  }
  const namespaces = v.pullSecretNamespaces ?? [];
  const twice = namespaces.find((n, i) => namespaces.indexOf(n) !== i);
  if (twice !== undefined)
    throw new ConfigError(
      `${key}.pullSecretNamespaces`,
      namespaces,
      `each namespace once (${twice} is listed twice)`,
    );
  return {
    ...(v.rotateEveryDays !== undefined ? { rotateEveryDays: v.rotateEveryDays } : {}),
    expiryWarningDays: warning,
    pullSecretNamespaces: namespaces,
  };
}

/** A robot as pullSecretName reads it. */
export interface PullSecretRobot {
  readonly name: string;
  readonly project?: string;
  readonly pullSecretNamespaces: readonly string[];
}

/**
 * The pull Secret's name: `harbor-robot-<project>-<name>` (`harbor-robot-<name>` for a system
 * robot), `_` (which Harbor allows in names, Kubernetes does not) as `-`.
 */
export function pullSecretName(r: Pick<PullSecretRobot, "name" | "project">): string {
  return ["harbor-robot", r.project, r.name]
    .filter((p): p is string => p !== undefined)
    .join("-")
    .replace(/_/g, "-");
}

/** Refuses two robots whose pull Secrets would have one name in one namespace, or a name too long. */
export function checkPullSecrets(key: string, robots: readonly PullSecretRobot[]): void {
  const seen = new Map<string, string>();
  robots.forEach((r, i) => {
    const name = pullSecretName(r);
    if (r.pullSecretNamespaces.length > 0 && name.length > 253)
      throw new ConfigError(
        `${key}[${i}].pullSecretNamespaces`,
        name,
        "a Secret name of at most 253 characters: shorten the robot's or project's name",
      );
    for (const ns of r.pullSecretNamespaces) {
      const other = seen.get(`${ns}/${name}`);
      if (other !== undefined)
        throw new ConfigError(
          `${key}[${i}].pullSecretNamespaces`,
          ns,
          `a namespace where no other robot's pull Secret is also named ${name} (${other})`,
        );
      seen.set(`${ns}/${name}`, r.project ? `${r.project}+${r.name}` : r.name);
    }
  });
}
