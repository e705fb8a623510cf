// The `__provider` text every Harbor resource carries, and the provider entry it loads. The real
// host runs both in test/engine/provider-host.test.ts; these are the properties the state and the
// host's working directory depend on.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { isBuiltin } from "module";
import { parse as parseYaml } from "yaml";
import { HOST_ENTRY, PROVIDER_LOADER } from "../../components/harbor-config/provider-module";
import { MODULES, transpiled } from "../../components/harbor-config/host.cjs";
import { ROOT } from "../harness";

const HERE = path.join(ROOT, "components", "harbor-config");

describe("harbor-config provider loader (what the state holds) and entry (what the host runs)", () => {
  it("is at most 2 KB and names no path of this checkout", () => {
    // Issue 18's bound: it lands twice in the state of every Harbor resource.
    expect(Buffer.byteLength(PROVIDER_LOADER)).to.be.at.most(2048);
    // A CI runner's path in the state would show as a diff on every other machine.
    expect(PROVIDER_LOADER).not.to.include(ROOT);
  });

  it("names the entry by a path relative to the project folder, where the CLI starts the host", () => {
    expect(HOST_ENTRY).to.match(/^\.\//);
    expect(path.resolve(ROOT, HOST_ENTRY)).to.equal(path.join(HERE, "host.cjs"));
    // The CLI starts providers in the folder of Pulumi.yaml unless it sets `main` (GetPwdMain,
    // pkg/engine at v3.248.0; see provider-module.ts): a `main` would move the host elsewhere.
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { main?: string };
    expect(project.main, "Pulumi.yaml main").to.equal(undefined);
  });

  it("the entry's modules require each other and node's built-ins only (the host loads them on each run)", () => {
    const required = MODULES.flatMap((m) =>
      [...transpiled(m).matchAll(/\brequire\((["'])([^"']+)\1\)/g)].map((r) => r[2]),
    );
    expect(required, "the client is required").to.include("./client");
    for (const r of required) expect(MODULES.includes(r) || isBuiltin(r), `requires ${r}`).to.equal(true);
  });
});
