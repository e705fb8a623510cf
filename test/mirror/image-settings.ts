// Where a chart's values can name an image, found by shape rather than by the names the pinned
// charts happen to use today, so a chart bump that adds an image in a new shape still shows up.
import { parseImageReference } from "../../policy/concepts/image-reference";
import { isObj } from "./stacks";

/** A key that names an image setting; pull policies and pull secrets are not images. */
const isImageKey = (k: string): boolean => /image/i.test(k) && !/pull/i.test(k);

/**
 * A map that spells an image under any key: a repository, or a tag or digest beside a
 * registry, name or repository (`{name, tag}` as well as `{registry, repository, tag}`).
 */
function looksLikeImageMap(o: Record<string, unknown>): boolean {
  const names = ["registry", "repository", "name"].some((f) => f in o);
  return "repository" in o || (names && ("tag" in o || "digest" in o));
}

/**
 * A string the container runtime would pull: an image reference (distribution/reference
 * grammar) that names a registry, a tag or a digest. A bare lower-case word (`busybox`) is a
 * reference too, but so is nearly every value in a chart; such a word under an image key is
 * still found by its key.
 */
export function isPullableReference(text: string): boolean {
  const ref = parseImageReference(text);
  return ref !== undefined && (ref.domain !== undefined || ref.tag !== undefined || ref.digest !== undefined);
}

/**
 * Every image setting of a chart's values, as dotted paths (`[i]` for list elements):
 * - anything but a list under a key that mentions "image" (`image`, `mcImage`, `sysctlImage`,
 *   `imageRegistry`), whatever its fields, and each element of a list there;
 * - a map of image fields under any other key (`kubectl: {repository, tag}`);
 * - any other string that reads as a pullable reference (`helper: busybox:1.36`), wherever it is.
 * A setting's own fields are not listed apart from it.
 */
export function imageSettings(values: unknown, path = ""): string[] {
  const here = (k: string) => (path ? `${path}.${k}` : k);
  if (Array.isArray(values)) return values.flatMap((v, i) => imageSettings(v, `${path}[${i}]`));
  if (typeof values === "string") return isPullableReference(values) ? [path] : [];
  if (!isObj(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    if (isImageKey(k)) return Array.isArray(v) ? v.map((_, i) => `${here(k)}[${i}]`) : [here(k)];
    if (isObj(v) && looksLikeImageMap(v)) return [here(k)];
    return imageSettings(v, here(k));
  });
}
