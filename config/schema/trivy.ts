// Trivy without the internet: its databases from an internal OCI repository, or none at all
// (offline). Cross-key rules (offline beside repositories or a token) are in config/proxy.ts.
import type { z } from "zod";
import { boolean, hasControlCharacters, key, leaf, listOf, pattern, section } from "./define";
import { RESTRICTED } from "./proxy";

const TRIVY_REPOSITORY_ALLOWED =
  "an OCI repository as host[:port]/path[:tag], like harbor.corp.example.com/ghcr/aquasecurity/trivy-db";

/**
 * An OCI repository as Trivy's `--db-repository` reads it (go-containerregistry
 * `name.ParseReference`; trivy v0.72.0 pkg/flag/db_flags.go adds the schema version as the tag
 * when none is given). The registry host is required: a bare path would mean Docker Hub.
 */
export function ociRepository() {
  return leaf<string>({ type: "OCI repository", allowed: TRIVY_REPOSITORY_ALLOWED }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v)) return undefined;
    if (v.includes("://")) return { refused: "no scheme: Trivy reads a registry reference" };
    if (v.includes("@"))
      return { refused: "a tag, not a digest: the database is republished every few hours" };
    const m =
      /^([a-z0-9.-]+(?::\d{1,5})?)\/([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(
        v,
      );
    if (!m) return undefined;
    const host = m[1].split(":")[0];
    if (!host.includes(".") && !m[1].includes(":") && host !== "localhost")
      return { refused: `${host} is no registry host (it would mean Docker Hub)` };
    return v;
  });
}

/** A stack config key's name, as `pulumi config set --secret <name>` takes it. */
const secretKeyName = () =>
  pattern(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, "the name of a secret config key, like trivyGitHubToken", "name");

export const TRIVY_KEYS = {
  trivy: key({
    schema: section({
      dbRepository: listOf(ociRepository(), 1).optional().meta({
        doc: "OCI repositories of the vulnerability database, tried in order (the next on 429/5xx only); they must allow anonymous pulls",
        defaultText:
          "mirror.gcr.io/aquasec/trivy-db, ghcr.io/aquasecurity/trivy-db; with mirror.registry: <registry>/ghcr.io/aquasecurity/trivy-db",
      }),
      javaDbRepository: listOf(ociRepository(), 1).optional().meta({
        doc: "OCI repositories of the Java database, tried in order; set together with dbRepository",
        defaultText:
          "mirror.gcr.io/aquasec/trivy-java-db, ghcr.io/aquasecurity/trivy-java-db; with mirror.registry: <registry>/ghcr.io/aquasecurity/trivy-java-db",
      }),
      offline: boolean().optional().meta({
        doc: "No download at all (skipUpdate, skipJavaDBUpdate, offlineScan): seed the databases on each Trivy volume first",
        defaultText: "false",
      }),
      gitHubTokenSecret: secretKeyName()
        .optional()
        .meta({ doc: "The secret config key holding a GitHub token for Trivy's GitHub API calls" }),
    }),
    doc: "Where Trivy gets its vulnerability databases: the public mirrors, an internal OCI repository, or nowhere (offline).",
    group: RESTRICTED,
    defaults: { dev: {}, prod: {} },
  }),
} as const;

export type TrivyValue = z.output<(typeof TRIVY_KEYS)["trivy"]["schema"]>;
