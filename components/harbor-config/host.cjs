// The Harbor provider as Pulumi's nodejs dynamic-provider host runs it. Every Harbor resource's
// `__provider` is the small loader of provider-module.ts, which requires this file from the
// project folder (the host's working directory); this file transpiles provider.ts, client.ts and
// provider-module.ts (the input names the program and the provider share) with the swc the
// program already depends on, once per host process. Plain JavaScript: the host runs no
// TypeScript loader.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

/** The provider's modules, relative to this folder; the first one exports HarborProvider. */
const MODULES = ["./provider", "./client", "./provider-module"];

/** One module's CommonJS code, transpiled from its TypeScript source. */
function transpiled(name) {
  const swc = require("@swc/core");
  const file = `${name.replace(/^\.\//, "")}.ts`;
  return swc.transformSync(fs.readFileSync(path.join(__dirname, file), "utf8"), {
    filename: file,
    swcrc: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: false,
  }).code;
}

const loaded = new Map();

/** `require` for the provider's modules: its own ones from source, anything else as usual. */
function load(name) {
  if (!MODULES.includes(name)) return require(name);
  let module = loaded.get(name);
  if (!module) {
    module = { exports: {} };
    loaded.set(name, module);
    // The .ts file name keeps the provider's stack traces pointing at its source file.
    const filename = path.join(__dirname, `${name.replace(/^\.\//, "")}.ts`);
    vm.compileFunction(transpiled(name), ["exports", "require", "module"], { filename })(
      module.exports,
      load,
      module,
    );
  }
  return module.exports;
}

module.exports = {
  MODULES,
  transpiled,
  handler: () => new (load(MODULES[0]).HarborProvider)(),
};
