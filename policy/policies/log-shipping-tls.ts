import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isReleaseOf, releaseValues } from "../lib/resources";

/** The [OUTPUT] sections of a Fluent Bit classic config, each as lower-cased key → value. */
export function outputSections(text: string): Map<string, string>[] {
  const sections: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      current = line.toUpperCase() === "[OUTPUT]" ? new Map() : undefined;
      if (current) sections.push(current);
      continue;
    }
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (current && m) current.set(m[1].toLowerCase(), m[2].trim());
  }
  return sections;
}

const on = (v: string | undefined) => v !== undefined && ["on", "true", "yes"].includes(v.toLowerCase());

export const logShippingTls: ResourceValidationPolicy = {
  name: "log-shipping-tls",
  description: "Every Fluent Bit output ships logs over TLS and verifies the server certificate.",
  enforcementLevel: "mandatory",
  tags: ["tls"],
  validateResource: (args, reportViolation) => {
    if (!isReleaseOf(args, "fluent-bit")) args.notApplicable("not a fluent-bit release");
    const outputs = get(releaseValues(args.props), "config.outputs");
    if (typeof outputs !== "string" || outputSections(outputs).length === 0) {
      // The chart's default output is stdout-free Elasticsearch without TLS: never rely on it.
      reportViolation("config.outputs declares no [OUTPUT]; the chart default ships without TLS.");
      return;
    }
    for (const s of outputSections(outputs)) {
      const name = `${s.get("name") ?? "?"} (match ${s.get("match") ?? "?"})`;
      if (!on(s.get("tls"))) reportViolation(`output ${name} does not set "tls On".`);
      if (!on(s.get("tls.verify"))) reportViolation(`output ${name} does not set "tls.verify On".`);
    }
  },
};
