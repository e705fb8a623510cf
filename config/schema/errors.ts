// zod's issues as the user sees them: one ConfigError line naming the key, the value (never a
// secret's) and what is allowed, with a did-you-mean for a misspelt key.
import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { ConfigError, insideSecret, touchesSecret } from "../validate";

/** The known name a misspelt `name` most likely meant, if one is close enough. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const best = closest(
    lower,
    known.map((k) => k.toLowerCase()),
  );
  const d = distance(lower, best);
  return d <= Math.max(2, Math.floor(name.length / 3))
    ? known.find((k) => k.toLowerCase() === best)
    : undefined;
}

/** "unknown key; did you mean `hostname`?" or a bounded list of the allowed names. */
export function unknownKeyMessage(name: string, known: readonly string[], where: string): string {
  const guess = didYouMean(name, known);
  if (guess !== undefined) return `unknown key; did you mean \`${guess}\`?`;
  const list = known.join(", ");
  return `unknown key; ${where}: ${list.length > 160 ? `${list.slice(0, 157)}...` : list}`;
}

/** `dr` + ["approveDeletes", 0, "bucket"] -> `dr.approveDeletes[0].bucket` */
export function pathKey(top: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, p) => (typeof p === "number" ? `${at}[${p}]` : `${at}.${String(p)}`), top);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The fields a strict object at `path` of `schema` allows (for the did-you-mean). */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  for (const p of [...path, undefined]) {
    while (s !== undefined) {
      const def = s._zod.def as {
        type: string;
        innerType?: z.ZodType;
        in?: z.ZodType;
        out?: z.ZodType;
        shape?: Record<string, z.ZodType>;
        element?: z.ZodType;
      };
      if (def.innerType) s = def.innerType;
      // A pipe's fields are its input's, or its output's when the input is text (JSON in a secret).
      else if (def.type === "pipe" && def.in) s = fieldsAt(def.in, []).length > 0 ? def.in : def.out;
      else if (def.type === "union") s = objectOption(s);
      else break;
    }
    if (s === undefined) return [];
    const def = s._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (p === undefined) return def.shape ? Object.keys(def.shape) : [];
    s = typeof p === "number" ? def.element : def.shape?.[String(p)];
  }
  return [];
}

/** The object option of a union (`false` or a section): where its fields are. */
function objectOption(union: z.ZodType): z.ZodType | undefined {
  const options = (union._zod.def as { options?: z.ZodType[] }).options ?? [];
  return options.find((o) => fieldsAt(o, []).length > 0);
}

type Issue = z.ZodError["issues"][number];

const wrongShape = (issue: Issue): boolean =>
  issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_value");

function allowedText(issue: Issue): string {
  if (issue.code === "invalid_type" && (issue.expected === "object" || issue.expected === "record"))
    return "an object";
  if (issue.code === "invalid_type" && issue.expected === "array") return "a list";
  return issue.message;
}

/** What one option of a union takes, for `false or an object`. */
const shapeText = (issue: Issue): string =>
  issue.code === "invalid_value"
    ? issue.values.map((v) => JSON.stringify(v)).join(" or ")
    : allowedText(issue);

/**
 * A union's failure as the issue of the option the value was meant for (the one that got past
 * its root), else as the shapes it allows: `false or an object`.
 */
function specificIssue(issue: Issue): Issue {
  if (issue.code !== "invalid_union") return issue;
  const meant = issue.errors.find((errs) => errs.length > 0 && !wrongShape(errs[0]));
  if (meant) {
    const inner = specificIssue(meant[0]);
    return { ...inner, path: [...issue.path, ...inner.path] };
  }
  const shapes = issue.errors.filter((errs) => errs.length > 0).map((errs) => shapeText(errs[0]));
  return { ...issue, message: shapes.length > 0 ? shapes.join(" or ") : issue.message };
}

/** Leaves whose value may be a secret typed in the wrong place say so: `params: { hidesValue: true }`. */
const hidesValue = (issue: Issue): boolean =>
  issue.code === "custom" && (issue.params as { hidesValue?: boolean } | undefined)?.hidesValue === true;

/**
 * The first issue of a failed parse of key `top`, as one ConfigError. `secret`: the whole value
 * is a secret's; `secretKeys`: keys stored as secrets, which may be `top` or fields of it.
 */
export function issueToError(
  top: string,
  schema: z.ZodType,
  value: unknown,
  error: z.ZodError,
  secret: boolean,
  secretKeys?: ReadonlySet<string>,
): ConfigError {
  const issue = specificIssue(error.issues[0]);
  // A secret's value is never shown, only whether the key holding it is set: inside a secret
  // that holds JSON text (SigV4 keys), a field's value cannot be located anyway.
  const shown = (path: readonly PropertyKey[]) => (secret ? value : valueAt(value, path));
  const hidden = (key: string) => secret || touchesSecret(key, secretKeys);
  if (issue.code === "unrecognized_keys") {
    const name = issue.keys[0];
    const holder = pathKey(top, issue.path);
    const fields = fieldsAt(schema, issue.path);
    // A field name inside a secret came from the secret: named neither in full nor by a guess.
    if (secret || insideSecret(holder, secretKeys))
      return new ConfigError(
        holder,
        shown(issue.path),
        `a field not allowed here (not named: it is part of the secret); allowed fields: ${fields.join(", ") || "none"}`,
        { secret: true },
      );
    const at = [...issue.path, name];
    return new ConfigError(
      pathKey(top, at),
      shown(at),
      unknownKeyMessage(name, fields, `allowed keys of ${holder}`),
      { secret: hidden(pathKey(top, at)) },
    );
  }
  const key = pathKey(top, issue.path);
  return new ConfigError(key, shown(issue.path), allowedText(issue), {
    secret: hidden(key) || hidesValue(issue),
  });
}
