// Writes what the config schema generates: Pulumi.yaml and the README's configuration
// reference (between its markers). Run with `npm run generate`; test/config/schema.test.ts
// fails when either is stale.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { generatedPulumiYaml, replaceReference } from "../config/schema/files";

const root = path.resolve(__dirname, "..");
writeFileSync(path.join(root, "Pulumi.yaml"), generatedPulumiYaml());
const readme = path.join(root, "README.md");
writeFileSync(readme, replaceReference(readFileSync(readme, "utf8")));
console.log("wrote Pulumi.yaml and README.md's configuration reference");
