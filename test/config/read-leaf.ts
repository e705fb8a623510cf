// Reads one value with a schema leaf as the parser would for `key`: the value, or the
// ConfigError the user would see.
import type { z } from "zod";
import { issueToError } from "../../config/schema/errors";

export function readLeaf<T>(key: string, schema: z.ZodType<T, unknown>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw issueToError(key, schema, value, result.error, false);
  return result.data;
}
