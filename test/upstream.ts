// The one place that locates the pinned upstream data (chart values and schemas, CRDs, Harbor's
// API spec, actions' action.yml, Pulumi's project schema). Every test, bench and script that reads
// upstream data goes through here. Three places, in order:
//   1. $HARBOR_PLATFORM_UPSTREAM (an explicit value that does not exist is an error, not a
//      silent fallback, so a typo is noticed);
//   2. <repo>/../shared/upstream (the project's shared folder beside the checkout);
//   3. <repo>/.upstream-cache, which `node scripts/fetch-upstream.mjs` fills.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "..");
export const ENV_VAR = "HARBOR_PLATFORM_UPSTREAM";
/** The folder `scripts/fetch-upstream.mjs` fills by default, relative to the checkout. */
export const CACHE_FOLDER = ".upstream-cache";

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The project's shared upstream folder beside a checkout at `root`. */
export function siblingUpstream(root: string = REPO_ROOT): string {
  return resolve(root, "..", "shared", "upstream");
}

/** Where a checkout at `root` looks for upstream data, in order (the env value first if set). */
export function upstreamCandidates(root: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env[ENV_VAR];
  if (fromEnv) return [resolve(fromEnv)];
  return [siblingUpstream(root), join(root, CACHE_FOLDER)];
}

function notFound(detail: string, root: string, env: NodeJS.ProcessEnv): Error {
  const [shared, cache] = [siblingUpstream(root), join(root, CACHE_FOLDER)];
  return new Error(
    `upstream: pinned upstream data not found (${detail}). Looked in, in order:\n` +
      `  1. $${ENV_VAR} (${env[ENV_VAR] ? `set to ${env[ENV_VAR]}` : "unset"})\n` +
      `  2. ${shared}\n` +
      `  3. ${cache}\n` +
      `Fill the cache with \`node scripts/fetch-upstream.mjs\` (downloads the same files at the ` +
      `pinned commits and checks their sha256), or point $${ENV_VAR} at a copy.`,
  );
}

/** The upstream folder a checkout at `root` uses under `env`. Throws one clear error if none. */
export function locateUpstream(root: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = upstreamCandidates(root, env);
  const found = candidates.find(isDir);
  if (found) return found;
  throw notFound(
    env[ENV_VAR] ? `$${ENV_VAR} points at a missing directory` : "no candidate directory exists",
    root,
    env,
  );
}

/** This checkout's upstream folder (one sub-folder per upstream source). */
export function upstreamDir(): string {
  return locateUpstream();
}

/**
 * The path of one pinned upstream file, e.g. `upstreamFile("harbor-api", "swagger-v2.15.2.yaml")`.
 * Throws (naming the places looked in) when the data or that file is missing.
 */
export function upstreamFile(folder: string, file: string): string {
  const dir = upstreamDir();
  const path = join(dir, folder, file);
  if (!existsSync(path)) throw notFound(`${folder}/${file} is missing from ${dir}`, REPO_ROOT, process.env);
  return path;
}
