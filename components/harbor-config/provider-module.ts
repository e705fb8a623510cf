// What every Harbor resource carries in its `__provider` input: the module text Pulumi's nodejs
// dynamic-provider host loads with `requireFromString(text).handler()` (cmd/dynamic-provider of
// @pulumi/pulumi 3.248.0). It lands in each resource's inputs and outputs, so in the state twice
// per resource: it is a loader of a few hundred bytes, not the provider (host.cjs has that).
//
// Where the loader finds the provider: require-from-string compiles the text as a module with no
// file name, so its relative `require`s resolve from the host's working directory. The CLI starts
// the host (pulumi-resource-pulumi-nodejs, which itself resolves @pulumi/pulumi from there) in
// the project folder. Pulumi v3.248.0: provider_plugin.go's NewProvider starts a provider with
// `newPlugin(ctx, ctx.Pwd, ...)` and plugin.go's ExecPlugin sets `cmd.Dir = pwd`
// (sdk/go/common/resource/plugin); pkg/engine/deployment.go's ProjectInfoContext sets Pwd from
// GetPwdMain: the folder of Pulumi.yaml, or that of its `main`, which this project does not set.
// So the state holds a path relative to the project and works from any checkout, on any machine.

/** Input naming the Harbor object a resource manages: one provider serves every kind. */
export const KIND_INPUT = "harborKind";

/** Where the dynamic-provider host finds a resource's provider (cmd/dynamic-provider's providerKey). */
export const PROVIDER_INPUT = "__provider";

/** The provider's entry, relative to the project folder. */
export const HOST_ENTRY = "./components/harbor-config/host.cjs";

/**
 * A `__provider` text that loads `entry` (relative to the project folder) from the host's working
 * directory, or says why not; `what` names the provider in its comment and error.
 */
export function providerLoader(
  entry: string,
  what: { readonly title: string; readonly label: string },
): string {
  return `"use strict";
// harbor-platform's ${what.title}: ${entry} of the project folder, the host's working directory.
exports.handler = () => {
  let entry;
  try {
    entry = require.resolve(${JSON.stringify(entry)});
  } catch {
    throw new Error("${what.label}: " + ${JSON.stringify(entry)} + " not found in " + process.cwd() + "; run pulumi in the harbor-platform project folder (the one with Pulumi.yaml) with its node_modules installed");
  }
  return require(entry).handler();
};
`;
}

/** The `__provider` text of every Harbor resource: loads HOST_ENTRY. */
export const PROVIDER_LOADER = providerLoader(HOST_ENTRY, {
  title: "Harbor provider",
  label: "harbor provider",
});
