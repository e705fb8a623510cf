// Config overrides that declare N Harbor projects with one CI robot each, for the scale figures.
import type { ConfigOverrides } from "../test/harness";

export function scaleOverrides(projects: number): ConfigOverrides {
  if (!Number.isInteger(projects) || projects < 1)
    throw new Error(`scale needs a project count, got ${projects}`);
  const names = Array.from({ length: projects }, (_, i) => `team-${String(i).padStart(4, "0")}`);
  return {
    harborConfig: {
      projects: names.map((name) => ({ name, quota: "50Gi" })),
      robots: names.map((project) => ({
        name: "ci",
        project,
        access: ["repository:push", "repository:pull"],
      })),
    },
  };
}
