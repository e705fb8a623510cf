// Which topology a stack implements, inferred from what it registers (the pack never sees
// the stack's name or config). Prod is the HA tier: Harbor with more than one core replica
// (the program refuses fewer than 2 in prod), an external database, a CloudNativePG cluster
// or anything on AWS (DR exists only in prod). Everything else is dev.
import { TYPES, get, isReleaseOf, releaseValues, type Obj } from "./resources";

export type Topology = "dev" | "prod";

export function detectTopology(resources: readonly { type: string; props: Obj }[]): Topology {
  for (const r of resources) {
    if (r.type.startsWith("aws:") || r.type === TYPES.cnpgCluster) return "prod";
    if (isReleaseOf(r, "harbor")) {
      const v = releaseValues(r.props);
      const replicas = Number(get(v, "core.replicas") ?? 1);
      if (replicas >= 2 || get(v, "database.type") === "external") return "prod";
    }
  }
  return "dev";
}
