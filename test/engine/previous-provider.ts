// The `__provider` text Harbor resources carried before the loader (up to commit 8fc0bfb,
// components/harbor-config/provider-module.ts): the provider's own modules, transpiled, inlined
// into one CommonJS module whose `handler()` returns the provider. Stacks deployed then hold it in
// every Harbor resource's inputs and outputs, and the host reads and deletes those resources with
// it. Built here in that format, from the provider's current sources with the same swc options
// (host.cjs's `transpiled`), so tests can write state as that release wrote it.
import { MODULES, transpiled } from "../../components/harbor-config/host.cjs";

export function previousProviderText(): string {
  const sources = MODULES.map(
    (m) => `${JSON.stringify(m)}: function (exports, require, module) {\n${transpiled(m)}\n}`,
  );
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
    `exports.handler = () => new (load(${JSON.stringify(MODULES[0])}).HarborProvider)();`,
    ``,
  ].join("\n");
}
