// The Harbor provider as the text Pulumi's nodejs dynamic-provider host loads from each
// resource's `__provider` input: a CommonJS module whose `handler()` returns the provider
// (the host runs `requireFromString(text).handler()`).
//
// Why not pulumi.dynamic.Resource's closure serialization: it opens an inspector session
// (every loaded script is replayed to it) and walks ~170 functions, about 0.5 s of every
// evaluation, half of dev's plan. This module carries the provider's own source files instead,
// transpiled with the swc that ts-node already runs this program with: ~10 ms, the same text
// for the same sources, and nothing captured from the program's heap.
import * as fs from "fs";
import * as path from "path";
import { isBuiltin } from "module";

/** The modules of the provider, relative to this folder; the first one exports HarborProvider. */
export const PROVIDER_MODULES = ["./provider", "./client"] as const;

/** One module's JavaScript, transpiled from its TypeScript source. */
function moduleCode(dir: string, name: string): string {
  // Loaded only here: the one place the program transpiles at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require("@swc/core") as typeof import("@swc/core");
  return swc.transformSync(fs.readFileSync(path.join(dir, `${name}.ts`), "utf8"), {
    filename: `${name}.ts`,
    swcrc: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: false,
  }).code;
}

/** The `require`s of a module's code (string literals only; the provider uses no other form). */
export function requiredModules(code: string): string[] {
  return [...code.matchAll(/\brequire\((["'])([^"']+)\1\)/g)].map((m) => m[2]);
}

/**
 * Builds the module text. Throws when a module requires something the host cannot load: the
 * host resolves from the project's node_modules at best, so the provider may use node's
 * built-ins and its own modules only.
 */
export function buildProviderModule(dir: string, modules: readonly string[]): string {
  const sources = modules.map((m) => {
    const code = moduleCode(dir, m.replace(/^\.\//, ""));
    for (const r of requiredModules(code)) {
      if (!modules.includes(r) && !isBuiltin(r)) {
        throw new Error(
          `harbor provider: ${m} requires ${JSON.stringify(r)}, which is neither a node built-in nor one of the provider's modules (${modules.join(", ")})`,
        );
      }
    }
    return `${JSON.stringify(m)}: function (exports, require, module) {\n${code}\n}`;
  });
  return [
    `"use strict";`,
    `const sources = {\n${sources.join(",\n")}\n};`,
    `const loaded = {};`,
    `function load(name) {`,
    `  if (!Object.prototype.hasOwnProperty.call(sources, name)) return require(name);`,
    `  if (!loaded[name]) {`,
    `    const module = { exports: {} };`,
    `    loaded[name] = module;`,
    `    sources[name](module.exports, load, module);`,
    `  }`,
    `  return loaded[name].exports;`,
    `}`,
    `exports.handler = () => new (load(${JSON.stringify(modules[0])}).HarborProvider)();`,
    ``,
  ].join("\n");
}

let cached: string | undefined;

/** The provider module for every Harbor resource of this program (built once per process). */
export function providerModuleText(): string {
  cached ??= buildProviderModule(__dirname, PROVIDER_MODULES);
  return cached;
}
