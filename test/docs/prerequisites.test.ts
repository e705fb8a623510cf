// Holds docs/prerequisites.md to what the dev and prod stacks really register: every custom
// resource kind (and who installs its CRD), every chart-rendered monitor kind, namespace, Helm
// Release, ipBlock policy and AWS resource type is named, with nothing stale; the IAM policy
// covers its own table; the node counts (with and without `zones`) are the ones the prod stack's
// spread rules and config compute, and the zone table lists every zone rule the stack registers.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { lexer, type Token, type Tokens } from "marked";
import { faultTolerance } from "../../components/platform/fault-tolerance";
import { RELOADER_SECRET_ANNOTATION, ZONE_KEY } from "../../components/k8s";
import { parseConfig, type MinioSettings } from "../../config";
import { charts } from "../../versions";
import { ROOT, evaluateStack, stackConfig, type Registered, type StackRun } from "../harness";
import { flowPolicies } from "../reachability/network-policy";

const DOC = path.join(ROOT, "docs", "prerequisites.md");
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACE = "kubernetes:core/v1:Namespace";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// ---- the document, read with a Markdown lexer --------------------------------------------

const tokens = lexer(fs.readFileSync(DOC, "utf8"));

/** The tokens under the heading that starts with `title`, up to the next heading as high. */
function section(title: string): Token[] {
  const start = tokens.findIndex((t) => t.type === "heading" && (t as Tokens.Heading).text.startsWith(title));
  if (start < 0) throw new Error(`docs/prerequisites.md has no heading "${title}"`);
  const depth = (tokens[start] as Tokens.Heading).depth;
  const end = tokens.findIndex(
    (t, i) => i > start && t.type === "heading" && (t as Tokens.Heading).depth <= depth,
  );
  return tokens.slice(start + 1, end < 0 ? undefined : end);
}

function table(title: string): Tokens.Table {
  const t = section(title).find((x): x is Tokens.Table => x.type === "table");
  if (!t) throw new Error(`section "${title}" has no table`);
  return t;
}

/** The `code spans` of a token tree, in order. */
function codespans(list: readonly Token[] | undefined): string[] {
  return (list ?? []).flatMap((t) => {
    if (t.type === "codespan") return [(t as Tokens.Codespan).text];
    const nested = [
      ...("tokens" in t && Array.isArray(t.tokens) ? t.tokens : []),
      ...(t.type === "list" ? (t as Tokens.List).items : []),
    ] as Token[];
    return codespans(nested);
  });
}

const cellCodes = (cell: Tokens.TableCell): string[] => codespans(cell.tokens);
const sectionText = (title: string): string =>
  section(title)
    .map((t) => t.raw)
    .join("");

// ---- what the stacks register --------------------------------------------------------------

/** `kubernetes:<apiVersion>:<Kind>` of a class @pulumi/kubernetes ships (a built-in kind). */
function isBuiltinKind(type: string): boolean {
  const m = /^kubernetes:(.+)\/([^/:]+):(.+)$/.exec(type);
  if (!m) return false;
  const [, group, version, kind] = m;
  // The SDK's modules are named after the group's first label (core, networking, helm, rbac...).
  const sdk = k8s as unknown as Record<string, unknown>;
  const mod = sdk[group.split(".")[0]];
  const cls = isObj(mod) && isObj(mod[version]) ? mod[version][kind] : undefined;
  return typeof cls === "function" && (cls as { __pulumiType?: string }).__pulumiType === type;
}

/** `group/version Kind` of each custom resource registration. */
function customKinds(run: StackRun): Map<string, Registered[]> {
  const out = new Map<string, Registered[]>();
  for (const r of run.resources) {
    if (!r.custom || !r.type.startsWith("kubernetes:") || isBuiltinKind(r.type)) continue;
    const [, apiVersion, kind] = r.type.split(":");
    const key = `${apiVersion} ${kind}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

/** Charts of the Releases `r` waits for, directly or through what it waits for. */
function releasesWaitedFor(run: StackRun, r: Registered): Set<string> {
  const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const chartsFound = new Set<string>();
  const stack = [...r.dependencies];
  while (stack.length > 0) {
    const urn = stack.pop() as string;
    if (seen.has(urn)) continue;
    seen.add(urn);
    const dep = byUrn.get(urn);
    if (!dep) continue;
    if (dep.type === RELEASE) chartsFound.add(String(dep.inputs.chart));
    stack.push(...dep.dependencies);
  }
  return chartsFound;
}

/**
 * Monitor kinds a chart renders because its values turn them on (`serviceMonitor.enabled`,
 * `podMonitorEnabled`); test/conformance holds those value paths to each chart's pinned values.yaml.
 * MinIO is the exception: minio 5.4.0 templates/servicemonitor.yaml renders
 * `metrics.serviceMonitor.enabled` as a Probe of the cluster metrics, and only `includeNode` adds
 * a ServiceMonitor.
 */
function chartMonitorKinds(chart: string, values: unknown, out = new Set<string>()): Set<string> {
  if (!isObj(values)) return out;
  for (const [key, value] of Object.entries(values)) {
    const m = /^(service|pod)monitor(enabled)?$/i.exec(key);
    const on = m && (m[2] ? value === true : isObj(value) && value.enabled === true);
    if (m && on && chart === charts.minio.chart) {
      out.add("Probe");
      if (isObj(value) && value.includeNode === true) out.add("ServiceMonitor");
    } else if (m && on) out.add(m[1].toLowerCase() === "service" ? "ServiceMonitor" : "PodMonitor");
    chartMonitorKinds(chart, value, out);
  }
  return out;
}

/** Value paths holding Reloader's explicit-Secrets annotation, with the Secrets it names (sorted). */
function reloaderAnnotations(values: unknown, prefix = ""): { path: string; secrets: string[] }[] {
  if (!isObj(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    if (key === RELOADER_SECRET_ANNOTATION)
      return [{ path: prefix, secrets: String(value).split(",").sort() }];
    return reloaderAnnotations(value, here);
  });
}

function metadata(r: Registered): { name: string; namespace?: string } {
  return r.inputs.metadata as { name: string; namespace?: string };
}

/** `<namespace> <flow>` of each NetworkPolicy rule with an ipBlock peer, with its CIDRs. */
function ipBlockFlows(run: StackRun): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const namespaces = new Set(run.byType(NETWORK_POLICY).map((p) => String(metadata(p).namespace)));
  for (const ns of namespaces)
    for (const [flow, { direction, spec }] of flowPolicies(run, ns)) {
      const rule = (spec[direction] as Obj[])[0];
      const peers = (rule.from ?? rule.to ?? []) as Obj[];
      const cidrs = peers.flatMap((peer) => (isObj(peer.ipBlock) ? [String(peer.ipBlock.cidr)] : []));
      if (cidrs.length > 0) out.set(`${ns} ${flow}`, new Set(cidrs));
    }
  return out;
}

/**
 * `<owner> <path> <whenUnsatisfiable>[ minDomains]` of every zone rule (an object with
 * `topologyKey: topology.kubernetes.io/zone`) a stack registers: the owner is a Release's name or
 * a custom resource's `group/version Kind`; the path (array indices left out) is in the Release's
 * values or the resource's inputs. Also checks each rule's maxSkew is 1, as the doc says.
 */
function zoneRules(run: StackRun): Set<string> {
  const out = new Set<string>();
  const walk = (owner: string, value: unknown, at: string[]): void => {
    if (Array.isArray(value)) return value.forEach((v) => walk(owner, v, at));
    if (!isObj(value)) return;
    if (value.topologyKey === ZONE_KEY) {
      expect(value.maxSkew, `${owner} ${at.join(".")} maxSkew`).to.equal(1);
      const rule = String(value.whenUnsatisfiable ?? "affinity");
      out.add(`${owner} ${at.join(".")} ${rule}${value.minDomains === undefined ? "" : " minDomains"}`);
    }
    for (const [k, v] of Object.entries(value)) walk(owner, v, [...at, k]);
  };
  for (const r of run.resources) {
    if (!r.type.startsWith("kubernetes:")) continue;
    if (r.type === RELEASE) walk(String(r.inputs.name), r.inputs.values, []);
    else walk(r.type.split(":").slice(1).join(" "), r.inputs, []);
  }
  return out;
}

/** Nodes the strict spread rules need: the largest component kept on distinct nodes. */
const strictNodes = (run: StackRun): number =>
  Math.max(
    ...faultTolerance(run.resources)
      .filter((r) => r.nodeLosses > 0)
      .map((r) => r.replicas),
  );

const PROD_OBJECT_STORE = stackConfig("prod").objectStore as Record<string, unknown>;
const ZONES = 3;
const zonedConfig = (nodes: number) => ({ zones: ZONES, objectStore: { ...PROD_OBJECT_STORE, nodes } });

/** MinIO node counts the prod config accepts over ZONES zones (its own refusal decides). */
function acceptedMinioNodes(): number[] {
  const accepted: number[] = [];
  for (let nodes = 1; nodes <= 33; nodes++) {
    try {
      parseConfig(stackConfig("prod", zonedConfig(nodes)));
      accepted.push(nodes);
    } catch {
      // refused: a node loss or a zone loss would stop MinIO from writing, or out of range
    }
  }
  return accepted;
}

/** The first capture of `re` in `text`, as a number; fails the test when the sentence is gone. */
function stated(text: string, re: RegExp): number {
  const m = re.exec(text);
  expect(m, `the sentence ${String(re)}`).to.not.equal(null);
  return Number(m?.[1]);
}

// ---- the tests -----------------------------------------------------------------------------

describe("docs/prerequisites.md", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    // One at a time: evaluations share the SDK's global mocks.
    dev = await evaluateStack("dev");
    prod = await evaluateStack("prod");
  });

  describe("custom resources", () => {
    const rows = () =>
      table("Custom resources the program registers").rows.map((row) => ({
        kind: cellCodes(row[0])[0],
        chart: cellCodes(row[1])[0] as string | undefined,
        prerequisite: row[1].text.trim() === "prerequisite",
      }));

    it("names every custom resource kind the stacks register, and no other", () => {
      const registered = new Set([...customKinds(dev).keys(), ...customKinds(prod).keys()]);
      expect(rows().map((r) => r.kind)).to.have.members([...registered]);
    });

    it("a kind whose CRD a chart installs waits for that chart's Release in every registration", () => {
      const pinned = Object.values(charts).map((c) => c.chart as string);
      for (const row of rows().filter((r) => !r.prerequisite)) {
        expect(pinned, `${row.kind}: installed by`).to.include(row.chart);
        for (const run of [dev, prod])
          for (const r of customKinds(run).get(row.kind) ?? [])
            expect([...releasesWaitedFor(run, r)], `${r.name} (${row.kind})`).to.include(row.chart);
      }
    });

    it("a kind that waits for none of the program's Releases is a prerequisite", () => {
      const byKind = new Map(rows().map((r) => [r.kind, r]));
      for (const run of [dev, prod])
        for (const [kind, regs] of customKinds(run))
          if (regs.every((r) => releasesWaitedFor(run, r).size === 0))
            expect(byKind.get(kind)?.prerequisite, `${kind} must be a prerequisite`).to.equal(true);
    });

    it("names every monitor kind the charts render", () => {
      const rendered = new Set<string>();
      for (const run of [dev, prod])
        for (const r of run.byType(RELEASE))
          chartMonitorKinds(String(r.inputs.chart), r.inputs.values, rendered);
      expect(
        [...rendered],
        "the charts render no monitor: is the test still reading values?",
      ).to.include.members(["ServiceMonitor", "Probe"]);
      const named = sectionText("Monitoring");
      for (const kind of rendered) expect(named, kind).to.include(`\`${kind}\``);
    });
  });

  describe("what must not exist yet", () => {
    it("counts the namespaces prod creates in the table at a glance", () => {
      const row = table("At a glance").rows.find((r) => r[0].text.startsWith("installed by the program"));
      expect(row, "the row of what the program installs").to.not.equal(undefined);
      expect(stated(row?.[2].text ?? "", /^(\d+) namespaces/)).to.equal(prod.byType(NAMESPACE).length);
    });

    it("names every namespace the stacks create", () => {
      const named = codespans(section("What must not exist yet"));
      for (const run of [dev, prod])
        for (const ns of run.byType(NAMESPACE)) expect(named, "namespace").to.include(metadata(ns).name);
    });

    it("lists every Helm Release the stacks install, with its chart and namespace, and no other", () => {
      const registered = new Set(
        [dev, prod].flatMap((run) =>
          run.byType(RELEASE).map((r) => `${r.inputs.name} ${r.inputs.chart} ${r.inputs.namespace}`),
        ),
      );
      const listed = table("What must not exist yet").rows.map((row) =>
        row
          .slice(0, 3)
          .map((c) => cellCodes(c)[0])
          .join(" "),
      );
      expect(listed).to.have.members([...registered]);
    });
  });

  it("lists every ipBlock flow with the CIDRs it really gets, and no other", async () => {
    // A config that turns on every ipBlock flow, with API server CIDRs that differ from 0.0.0.0/0
    // so the table's CIDR column is checked too.
    const apiCidr = "192.0.2.10/32";
    const variant = await evaluateStack("prod", {
      exposure: "loadBalancer",
      ingressClassName: undefined,
      certManager: { issuer: "acme", acme: { email: "ops@example.com" } },
      networkPolicy: {
        ingressNamespace: "traefik",
        monitoringNamespace: "monitoring",
        apiServerCidrs: [apiCidr],
      },
    });
    const registered = new Map([...ipBlockFlows(dev), ...ipBlockFlows(variant)]);
    const listed = new Map<string, Set<string>>();
    for (const row of table("Policies that name addresses").rows) {
      const [ns] = cellCodes(row[0]);
      const cidrs = cellCodes(row[3]).map((c) => (c === "networkPolicy.apiServerCidrs" ? apiCidr : c));
      for (const name of cellCodes(row[1])) listed.set(`${ns} ${name}`, new Set(cidrs));
    }
    expect([...listed.keys()]).to.have.members([...registered.keys()]);
    for (const [key, cidrs] of registered)
      expect([...cidrs], key).to.have.members([...(listed.get(key) ?? [])]);
  });

  it("lists every workload the program has Reloader restart, with the Secrets it names, and no other", () => {
    const registered = new Set<string>();
    for (const run of [dev, prod])
      for (const r of run.byType(RELEASE))
        for (const { path: valuePath, secrets } of reloaderAnnotations(r.inputs.values))
          registered.add(`${r.inputs.name} ${valuePath} ${secrets.join(",")}`);
    expect(
      registered.size,
      "the stacks annotate nothing: is the test still reading values?",
    ).to.be.greaterThan(0);
    const listed = table("Certificate renewal").rows.map((row) => {
      const [release] = cellCodes(row[0]);
      const [valuePath] = cellCodes(row[1]);
      return `${release} ${valuePath} ${cellCodes(row[2]).sort().join(",")}`;
    });
    expect(listed).to.have.members([...registered]);
  });

  it("names every chart repository the Releases download from", () => {
    const text = sectionText("The machine that runs");
    for (const pin of Object.values(charts)) expect(text, pin.chart).to.include(pin.repo);
  });

  it("states the node count prod's strict spread rules need", () => {
    const text = sectionText("Nodes, zones and storage");
    expect(stated(text, /Minimum schedulable nodes \(prod, default config\): \*\*(\d+)\*\*/)).to.equal(
      strictNodes(prod),
    );
  });

  describe("zones", () => {
    const text = () => sectionText("Zones (`zones`)");
    let accepted: number[];
    const minio = () => parseConfig(stackConfig("prod")).prod?.objectStore as MinioSettings;
    let zoned: StackRun;
    before(async () => {
      accepted = acceptedMinioNodes();
      zoned = await evaluateStack("prod", zonedConfig(accepted[0]));
    });

    it("lists every zone rule prod registers with `zones` set, and says which hold without it", () => {
      const rows = table("Zones (`zones`)").rows.flatMap((row) => {
        const owner = cellCodes(row[1]).join(" ");
        const rule = cellCodes(row[3]).join(" ");
        return cellCodes(row[2]).map((where) => ({
          key: `${owner} ${where} ${rule}`,
          always: row[4].text.trim() === "always",
        }));
      });
      const registered = zoneRules(zoned);
      expect(
        [...registered].some((r) => r.endsWith("DoNotSchedule minDomains")),
        "zones: 3 holds something strictly",
      ).to.equal(true);
      expect(rows.map((r) => r.key)).to.have.members([...registered]);
      expect(rows.filter((r) => r.always).map((r) => r.key)).to.have.members([...zoneRules(prod)]);
    });

    it("states the MinIO node counts the config accepts over 3 zones", () => {
      const { nodes, drivesPerNode } = minio();
      expect(stated(text(), /With\s+`zones: 3` and (\d+) drives per node/)).to.equal(drivesPerNode);
      expect(stated(text(), /the default (\d+) MinIO nodes are refused/)).to.equal(nodes);
      expect(accepted, "the stack's MinIO layout is refused over 3 zones").to.not.include(nodes);
      // The doc's reason is the config's own: its refusal of the stack's layout over 3 zones.
      const why =
        /\(a zone may hold (\d+) of\s+them, (\d+) of the set's (\d+) drives, leaving (\d+) below write quorum (\d+)\)/.exec(
          text(),
        );
      expect(why, "the reason the default layout is refused").to.not.equal(null);
      const [, perZone, lost, setSize, left, quorum] = why ?? [];
      expect(() => parseConfig(stackConfig("prod", zonedConfig(nodes)))).to.throw(
        `a zone holds up to ${perZone} nodes, ${lost} of a set's ${setSize} drives, and the ${left} left are below write quorum ${quorum}`,
      );
      expect(stated(text(), /the config names\s+\*\*(\d+)\*\* nodes/)).to.equal(
        accepted.find((n) => n > nodes),
      );
      expect(stated(text(), /smallest MinIO it accepts over 3 zones is\s+\*\*(\d+)\*\*/)).to.equal(
        accepted[0],
      );
    });

    it("states the node count and per-zone count prod needs with `zones: 3`", () => {
      const sentence =
        /Minimum schedulable nodes with `zones: 3` and\s+`objectStore.nodes: (\d+)`: \*\*(\d+)\*\*, at least \*\*(\d+)\*\* in each zone/;
      expect(stated(text(), sentence)).to.equal(accepted[0]);
      const m = sentence.exec(text());
      expect(Number(m?.[2])).to.equal(strictNodes(zoned));
      const glance = table("At a glance").rows.find((r) => r[0].text === "nodes");
      expect(stated(glance?.[2].text ?? "", /with `zones: 3`, at least (\d+), one per zone/)).to.equal(
        strictNodes(zoned),
      );
      // With maxSkew 1, every zone holds at least floor(count / zones) of a zoned component's pods.
      const zonedRows = faultTolerance(zoned.resources).filter((r) => (r.zoneLosses ?? 0) > 0);
      expect(Number(m?.[3])).to.equal(Math.max(...zonedRows.map((r) => Math.floor(r.replicas / ZONES))));
    });
  });

  describe("AWS permissions", () => {
    const iamTable = () => table("AWS permissions for prod");
    const policy = (): { Statement: { Action: string | string[] }[] } => {
      const block = section("AWS permissions for prod").find(
        (t): t is Tokens.Code => t.type === "code" && (t as Tokens.Code).lang === "json",
      );
      if (!block) throw new Error("no json policy block");
      return JSON.parse(block.text) as { Statement: { Action: string | string[] }[] };
    };
    const policyActions = () =>
      policy().Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

    it("lists every AWS resource type prod registers, and no other", () => {
      const registered = new Set(prod.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type));
      expect(registered.size, "prod registers AWS resources").to.be.greaterThan(0);
      expect(iamTable().rows.map((row) => cellCodes(row[0])[0])).to.have.members([...registered]);
    });

    it("the policy grants every action of the table, for the services of those types", () => {
      const granted = policyActions();
      const grants = (action: string) =>
        granted.some((g) =>
          new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(action),
        );
      const tableActions = iamTable().rows.flatMap((row) =>
        cellCodes(row[2]).filter((c) => /^[a-z0-9]+:/.test(c)),
      );
      for (const action of tableActions) expect(grants(action), action).to.equal(true);
      const services = new Set(iamTable().rows.map((row) => cellCodes(row[0])[0].split(/[:/]/)[1]));
      const prefixes = new Set(granted.map((a) => a.split(":")[0]));
      for (const s of services) expect([...prefixes], s).to.include(s);
    });
  });
});
