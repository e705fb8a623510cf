// The project's Markdown documents: README.md and everything under docs/.
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../upstream";

/** README.md and every .md file under docs/, as paths relative to the repository. */
export function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? walk(path.join(dir, e.name))
          : e.name.endsWith(".md")
            ? [path.join(dir, e.name)]
            : [],
      );
  return ["README.md", ...walk(path.join(REPO_ROOT, "docs")).map((f) => path.relative(REPO_ROOT, f))];
}
