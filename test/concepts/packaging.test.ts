import { expect } from "chai";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../upstream";

// `pulumi policy publish` packs policy/ alone and installs policy/package.json: every package
// the pack (concepts included) imports at run time must be declared there, at the version the
// program's own package.json pins, or the published pack and the config would read values apart.
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith(".ts") ? [path] : [];
  });
}

describe("concepts: the policy pack declares what it imports", () => {
  it("every runtime import of policy/ is in policy/package.json, at the root's version", () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const pack = JSON.parse(readFileSync(join(REPO_ROOT, "policy", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of tsFiles(join(REPO_ROOT, "policy"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/^import (?!type )[^;]*? from "([^".][^"]*)";/gm)) {
        const name = m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0];
        if (!m[1].startsWith("node:")) imported.add(name);
      }
    }
    expect([...imported]).to.include.members(["cron-parser", "ipaddr.js"]);
    for (const name of imported) {
      const want = root.dependencies[name] ?? root.devDependencies[name];
      expect(pack.dependencies[name], name).to.equal(want);
    }
  });
});
