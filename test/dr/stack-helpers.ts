// Readers of what a stack registers, shared by the DR tests on the prod stack.
import { evaluateStack, type Registered, type StackRun } from "../harness";
import type { PolicyDocument, PolicyStatement } from "../../components/dr/policies";

export const list = <T>(v: T | readonly T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T];

/** The bucket's configuration resources (their `bucket` input is its name or its mock id). */
export function forBucket(run: StackRun, type: string, bucket: Registered): Registered[] {
  const ids = [bucket.inputs.bucket, `${bucket.name}-id`];
  return run.byType(`aws:s3/${type}`).filter((r) => ids.includes(r.inputs.bucket));
}

/** A policy document's statements, whichever form the policy input took. */
export function statements(policy: unknown): PolicyStatement[] {
  const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as PolicyDocument;
  return [...doc.Statement];
}

/** The one-line message the prod stack stops with under these config overrides. */
export async function message(overrides: Record<string, unknown>): Promise<string> {
  try {
    await evaluateStack("prod", overrides);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the prod stack to stop");
}
