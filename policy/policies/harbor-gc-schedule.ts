import type { StackValidationPolicy } from "@pulumi/policy";
import { asGcSchedule, managesHarborConfig } from "../lib/harbor-resources";
import { scheduleCadence } from "../lib/schedule";

/** The policy's default limit, which the stack config's GC schedule stays within. */
export const GC_LIMITS: Readonly<{ maxIntervalDays: number }> = { maxIntervalDays: 7 };

export const harborGcSchedule: StackValidationPolicy = {
  name: "harbor-gc-schedule",
  description: "A Harbor garbage-collection schedule that deletes untagged artifacts runs at least weekly.",
  enforcementLevel: "mandatory",
  tags: ["gc"],
  configSchema: { properties: { maxIntervalDays: { type: "number", default: GC_LIMITS.maxIntervalDays } } },
  validateStack: (args, reportViolation) => {
    if (!managesHarborConfig(args.resources))
      args.notApplicable("the stack does not manage Harbor's configuration");
    const { maxIntervalDays } = args.getConfig<{ maxIntervalDays: number }>();
    const schedules = args.resources.flatMap((r) => {
      const gc = asGcSchedule(r);
      return gc ? [{ r, gc }] : [];
    });
    if (schedules.length === 0) reportViolation("no Harbor garbage-collection schedule is defined.");
    for (const { r, gc } of schedules) {
      if (gc.deleteUntagged !== true)
        reportViolation("the GC schedule does not delete untagged artifacts.", r.urn);
      const cadence = scheduleCadence(gc.scheduleType, gc.cron);
      if (cadence.error) {
        reportViolation(`the GC schedule cannot be read: ${cadence.error}.`, r.urn);
      } else if (cadence.maxGapDays > maxIntervalDays) {
        reportViolation(
          `the GC schedule ${JSON.stringify(gc.cron ?? gc.scheduleType)} can leave ${Math.round(cadence.maxGapDays)} days between runs; at most ${maxIntervalDays} allowed.`,
          r.urn,
        );
      }
    }
  },
};
