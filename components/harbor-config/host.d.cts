// Types of host.cjs, for the TypeScript that reads it (tests).
import type * as pulumi from "@pulumi/pulumi";

/** The provider's modules, relative to host.cjs's folder; the first one exports HarborProvider. */
export declare const MODULES: readonly string[];
/** One module's CommonJS code, transpiled from its TypeScript source. */
export declare function transpiled(name: string): string;
/** What the dynamic-provider host calls: the Harbor provider, every kind. */
export declare function handler(): pulumi.dynamic.ResourceProvider;
