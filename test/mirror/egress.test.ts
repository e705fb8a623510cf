// With `mirror.registry` set the stacks register no egress to the internet: every pod the
// NetworkPolicies select (and any other pod of the namespace) is denied every public address on
// every port, evaluated with Kubernetes' NetworkPolicy semantics (test/reachability); what they
// may reach outside the cluster lies within the site's ranges or the API server's. That the
// configured endpoints stay reachable at site addresses is test/reachability/connections.test.ts.
import { expect } from "chai";
import { parseConfig } from "../../config";
import { cidrWithin } from "../../policy/concepts/network";
import { at, evaluateStack, stackConfig, type StackRun } from "../harness";
import { PROD_WITH_OPTIONS } from "../harness/options";
import { admits, policiesOf, type Labels } from "../reachability/network-policy";
import { MIRROR, MIRRORED_STACKS } from "./stacks";

type Obj = Record<string, unknown>;

/**
 * Public addresses standing for the internet: registry-1.docker.io's, ghcr.io's, an S3
 * endpoint's and TEST-NET-3 (RFC 5737), the stand-in for any public name.
 */
const PUBLIC = ["44.219.3.189", "140.82.121.34", "52.219.170.0", "203.0.113.10", "2606:4700::1111"];

/** Each namespace's pods as its policies single them out: each selector's labels, and a pod none names. */
function podsOf(run: StackRun): { namespace: string; labels: Labels }[] {
  const out = new Map<string, { namespace: string; labels: Labels }>();
  for (const p of policiesOf(run)) {
    const labels = (at(p.spec, "podSelector.matchLabels") ?? {}) as Labels;
    out.set(JSON.stringify([p.namespace, labels]), { namespace: p.namespace, labels });
    out.set(JSON.stringify([p.namespace, {}]), { namespace: p.namespace, labels: { "test/other": "pod" } });
  }
  return [...out.values()];
}

/** Every port any egress rule names, and the web's own. */
function egressPorts(run: StackRun): number[] {
  const ports = new Set([80, 443]);
  for (const p of policiesOf(run))
    for (const rule of (p.spec.egress ?? []) as Obj[])
      for (const port of (rule.ports ?? []) as { port?: number }[]) if (port.port) ports.add(port.port);
  return [...ports];
}

/** Public (address, port) pairs some pod of the stack may reach. */
function internetEgress(run: StackRun): string[] {
  const policies = policiesOf(run);
  const ports = egressPorts(run);
  return podsOf(run).flatMap((pod) =>
    PUBLIC.flatMap((ip) =>
      ports
        .filter((port) => admits(policies, pod, { ip }, port).egress)
        .map((port) => `${pod.namespace} ${JSON.stringify(pod.labels)} -> ${ip}:${port}`),
    ),
  );
}

describe("mirror: no egress to the internet", () => {
  for (const [what, stack, overrides] of [
    ...MIRRORED_STACKS,
    [
      "prod with OIDC, a registry and an external S3",
      "prod",
      () => ({ ...PROD_WITH_OPTIONS, mirror: MIRROR }),
    ],
  ] as const)
    describe(what, () => {
      let run: StackRun;
      let allowed: string[];
      before(async () => {
        run = await evaluateStack(stack, overrides());
        const cfg = parseConfig(stackConfig(stack, overrides()));
        allowed = [...(cfg.mirror?.siteCidrs ?? []), ...cfg.networkPolicy.apiServerCidrs];
      });

      it("admits no pod to any public address on any port", () => {
        expect(internetEgress(run)).to.deep.equal([]);
      });

      it("names no address range outside the site's and the API server's", () => {
        const outside = policiesOf(run).flatMap((p) =>
          ((p.spec.egress ?? []) as Obj[]).flatMap((rule) =>
            ((rule.to ?? []) as Obj[])
              .map((peer) => at(peer, "ipBlock.cidr"))
              .filter((c): c is string => typeof c === "string" && !allowed.some((a) => cidrWithin(c, a)))
              .map((c) => `${p.namespace}/${p.name}: ${c}`),
          ),
        );
        expect(outside).to.deep.equal([]);
      });
    });

  it("without the section, the same check finds the internet egress (the check can fail)", async () => {
    const found = internetEgress(await evaluateStack("prod"));
    expect(found.some((f) => /^harbor .*"component":"trivy".* -> 203\.0\.113\.10:443$/.test(f))).to.equal(
      true,
    );
    expect(found.some((f) => f.startsWith("velero "))).to.equal(true);
  });

  it("keeps the site's own ranges when the stack names them", async () => {
    const siteCidrs = ["10.40.0.0/16", "fd00:40::/32"];
    const run = await evaluateStack("prod", { mirror: { ...MIRROR, siteCidrs } });
    expect(internetEgress(run)).to.deep.equal([]);
    const policies = policiesOf(run);
    const velero = { namespace: "velero", labels: {} };
    expect(
      admits(policies, velero, { ip: "10.40.1.2" }, 443).egress,
      "AWS S3 by a private endpoint",
    ).to.equal(true);
    expect(admits(policies, velero, { ip: "10.41.1.2" }, 443).egress, "outside the named ranges").to.equal(
      false,
    );
  });
});
