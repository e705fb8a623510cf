// Short stack traces while the program builds its resources.
//
// For every output property of every resource, Pulumi's SDK records `new Error().stack` for its
// promise-leak report (printed only with PULUMI_DEBUG_PROMISE_LEAKS). Under ts-node, and in the
// Pulumi CLI's runner, which installs source-map-support, each of those ~7,900 stacks (prod) is
// source-mapped frame by frame: about 0.6 s of prod's 1.5 s evaluation at V8's default of 10
// frames. Resource source positions are unaffected: the SDK lifts the limit while it takes them.
// Taking them (the whole stack, for every resource) mapped every frame, the SDK's and Node's
// too, though the engine wants the project's lines: the program's process maps only the
// project's frames (mapOnlyProjectFrames; about 0.2 s of prod's CPU time, 0.06 s of it in the
// SDK's registrations after building).

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

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** What V8 and source-map-support put before each frame. */
export const FRAME_PREFIX = "\n    at ";

/** A frame of the project's own code (not a library's, not Node's). */
function isProjectFrame(frame: NodeJS.CallSite): boolean {
  const file = frame.getFileName();
  return !!file && !file.startsWith("node:") && !/[\\/]node_modules[\\/]/.test(file);
}

/**
 * Wraps an installed stack formatter (ts-node's source-map-support) so that it maps only the
 * project's frames; a library's frame keeps its compiled position, as V8 prints it. The same
 * call sites recur in every resource's stack, so each mapped frame is remembered.
 */
export function mapProjectFramesOnly(mapped: PrepareStackTrace): PrepareStackTrace {
  // A frame maps by its own position and its caller's, which names it: remembered by both.
  const remembered = new Map<string, string>();
  return (error, frames) => {
    const header = mapped(error, []);
    if (typeof header !== "string") return mapped(error, frames);
    const texts = frames.map(String);
    const own = frames.map(isProjectFrame);
    const key = (i: number) => `${texts[i]}\n${own[i + 1] ? texts[i + 1] : ""}`;
    let out = header;
    for (let i = 0; i < frames.length;) {
      if (!own[i]) {
        out += FRAME_PREFIX + texts[i++];
        continue;
      }
      // A run of project frames is mapped in one call, so that each is named from its own caller.
      let j = i;
      while (j < frames.length && own[j]) j++;
      if (!texts.slice(i, j).every((_t, k) => remembered.has(key(i + k)))) {
        const parts = String(mapped(error, frames.slice(i, j))).split(FRAME_PREFIX);
        if (parts.length !== j - i + 1) return mapped(error, frames);
        parts.slice(1).forEach((text, k) => remembered.set(key(i + k), text));
      }
      for (; i < j; i++) out += FRAME_PREFIX + remembered.get(key(i));
    }
    return out;
  };
}

/** Each formatter mapOnlyProjectFrames installed, with the one it wraps. */
const wrapped = new WeakMap<PrepareStackTrace, PrepareStackTrace>();

/** The stack formatter ts-node installed, beneath mapOnlyProjectFrames' if that is installed. */
export function installedFormatter(): PrepareStackTrace | undefined {
  const current = Error.prepareStackTrace;
  return current && (wrapped.get(current) ?? current);
}

/**
 * For the rest of the process, the installed stack formatter (ts-node's source-map-support)
 * maps only the project's frames; once per process. Left alone, like withShortStacks, when the
 * promise-leak report is on or someone chose a stack-trace limit.
 */
export function mapOnlyProjectFrames(env: NodeJS.ProcessEnv = process.env): void {
  const current = Error.prepareStackTrace;
  if (!current || wrapped.has(current)) return;
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || Error.stackTraceLimit !== V8_DEFAULT_LIMIT) return;
  const wrapper = mapProjectFramesOnly(current);
  wrapped.set(wrapper, current);
  Error.prepareStackTrace = wrapper;
}
