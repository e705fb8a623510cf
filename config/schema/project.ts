// The parts of Pulumi.yaml that are not generated from the keys, and the prompts of
// `pulumi new` (the `template` section). scripts/generate-config.ts writes Pulumi.yaml from
// them and the schema.
import type { TemplatePrompt } from "./generate";

export const PULUMI_YAML_HEAD = `# Generated from the config schema (config/schema/) by \`npm run generate\`; edit the schema.
name: harbor-platform
runtime:
  name: nodejs
  options:
    typescript: true
description: Complete self-hosted Harbor registry environments on Kubernetes (dev and HA prod with DR to AWS)
# The CLI requires a stack value for every key declared here without a \`default\`, and writes a
# declared \`default\` into the stack's config before the program runs. So only two kinds of key
# are declared: those every stack must set, and those whose one default holds in every topology
# and exposure mode. Every other key is documented in the README's configuration reference and
# validated by the program, which refuses it where it does not apply.
`;

export const TEMPLATE_DESCRIPTION =
  "A Harbor registry on Kubernetes: dev (single node) or prod (HA, CloudNativePG, Redis Sentinel, MinIO, DR to AWS)";

/**
 * What `pulumi new` asks a new user: the topology, where Harbor is served, the storage classes
 * and, for prod, the DR bucket and its region. Everything else has a default or is refused
 * with a one-line error naming it.
 */
export const TEMPLATE_PROMPTS: readonly TemplatePrompt[] = [
  { key: "topology", topologies: ["dev", "prod"], default: "dev" },
  { key: "hostname", topologies: ["dev", "prod"] },
  { key: "nasStorageClass", topologies: ["dev"] },
  { key: "localStorageClass", topologies: ["dev", "prod"] },
  {
    key: "dr.bucketName",
    topologies: ["prod"],
    description: "Name of the DR bucket in AWS (S3 general purpose bucket naming rules).",
  },
  {
    key: "aws:region",
    topologies: ["prod"],
    description: "AWS region of the DR bucket, like eu-central-1.",
  },
];
