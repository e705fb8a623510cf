// Short stack traces while the program builds its resources.
//
// For every output property of every resource, Pulumi's SDK records `new Error().stack` for its
// promise-leak report (printed only with PULUMI_DEBUG_PROMISE_LEAKS). Under ts-node, and in the
// Pulumi CLI's runner, which installs source-map-support, each of those ~7,900 stacks (prod) is
// source-mapped frame by frame: about 0.6 s of prod's 1.5 s evaluation at V8's default of 10
// frames. Resource source positions are unaffected: the SDK lifts the limit while it takes them.

/** V8's default `Error.stackTraceLimit`; any other value was chosen by someone and is kept. */
const V8_DEFAULT_LIMIT = 10;

/** Frames kept meanwhile: the one that threw, for an error raised while building. */
export const BUILD_STACK_LIMIT = 1;

/** Appended to the stack of an error raised while building: that one frame may be a library's. */
export const SHORT_STACK_HINT =
  "    ... (stack shortened while building: NODE_OPTIONS=--stack-trace-limit=50 shows every frame)";

/**
 * Runs `build` with `Error.stackTraceLimit` at BUILD_STACK_LIMIT and restores it after. Left
 * alone when the promise-leak report is on or the limit is not V8's default
 * (`NODE_OPTIONS=--stack-trace-limit=50` gives full stacks back).
 */
export function withShortStacks<T>(build: () => T, env: NodeJS.ProcessEnv = process.env): T {
  const limit = Error.stackTraceLimit;
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || limit !== V8_DEFAULT_LIMIT) return build();
  Error.stackTraceLimit = BUILD_STACK_LIMIT;
  try {
    return build();
  } catch (e) {
    // Only the stack: a one-line error (its message) stays one line.
    if (e instanceof Error && e.stack) e.stack = `${e.stack}\n${SHORT_STACK_HINT}`;
    throw e;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
