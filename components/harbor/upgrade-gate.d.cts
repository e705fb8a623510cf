// Types of upgrade-gate.cjs, for the TypeScript that reads it (tests).
import type * as pulumi from "@pulumi/pulumi";

/** What the dynamic-provider host calls: the upgrade gate's provider. */
export declare function handler(): pulumi.dynamic.ResourceProvider;
/** upgrade-path.ts as the host runs it (transpiled by swc). */
export declare function upgradePath(): typeof import("./upgrade-path");
