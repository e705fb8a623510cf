// The harbor-platform policy pack. This is the ONLY place a PolicyPack is constructed:
// constructing one starts the analyzer's server (tests use lib/engine.ts instead).
// Per-policy levels and properties come from `--policy-pack-config` (config/<stack>.json).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("harbor-platform", { policies, enforcementLevel: "advisory" });
