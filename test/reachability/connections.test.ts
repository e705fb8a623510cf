// Every connection the program configures, read from what it registers (the Releases' values,
// the CNPG and barman-cloud CRs, the Jobs' environment, Harbor's settings and registries), resolved
// to the pods or addresses it reaches and checked against the NetworkPolicies the stack registers
// (sender's egress and receiver's ingress). A policy that forgets a flow breaks the site silently;
// this fails instead. What each chart connects from and what its Services select is read from the
// templates at the pinned tags, named where used.
import { expect } from "chai";
import * as net from "net";
import { charts } from "../../versions";
import { parseConfig } from "../../config";
import { chartData } from "../conformance/upstream";
import { coalesce } from "../conformance/helm-values";
import { at, evaluateStack, stackConfig, StackSecret, type StackRun } from "../harness";
import { admits, flowPolicy, policiesOf, type Endpoint, type Labels } from "./network-policy";
import { devWithOptions, PROD_WITH_OPTIONS, LDAP_AUTH } from "../harness/options";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const RELEASE = "kubernetes:helm.sh/v3:Release";

/**
 * Where a public name resolves: a NetworkPolicy can only name addresses, and the program is told
 * names, so any public address stands for it (203.0.113.0/24 is TEST-NET-3, RFC 5737).
 */
const PUBLIC_ADDRESS = "203.0.113.10";
/**
 * Where a name resolves on an air-gapped site (`mirror.registry` set): inside the site's own
 * ranges (the default `mirror.siteCidrs`, RFC 1918), AWS included through private endpoints.
 */
const SITE_ADDRESS = "10.20.30.40";

interface Connection {
  readonly what: string;
  readonly from: Endpoint;
  /** A host name or address, or the pods themselves (a webhook's). */
  readonly to: string | Endpoint;
  readonly port: number;
}

interface Rel {
  readonly name: string;
  readonly namespace: string;
  readonly values: Obj;
}

/** Helm's conventional `<chart>.fullname` (harbor-helm, redis-ha and minio _helpers.tpl). */
const fullname = (r: Rel, chart: string): string =>
  typeof r.values.fullnameOverride === "string" && r.values.fullnameOverride
    ? r.values.fullnameOverride
    : r.name.includes(chart)
      ? r.name
      : `${r.name}-${chart}`;

function releases(run: StackRun, chart: string): Rel[] {
  const pin = Object.values(charts).find((c) => c.chart === chart);
  if (!pin) throw new Error(`unpinned chart ${chart}`);
  return run
    .byType(RELEASE)
    .filter((r) => r.inputs.chart === chart)
    .map((r) => ({
      name: String(r.inputs.name),
      namespace: String(r.inputs.namespace),
      values: coalesce(chartData(pin.upstream).values, (r.inputs.values ?? {}) as Obj),
    }));
}

/** CNPG Clusters and barman-cloud ObjectStores, registered or carried in a drill's ConfigMap. */
function manifests(run: StackRun, kind: string): Obj[] {
  const registered = run.resources.filter((r) => r.inputs.kind === kind).map((r) => r.inputs);
  const embedded = run.byType("kubernetes:core/v1:ConfigMap").flatMap((c) =>
    Object.values((c.inputs.data ?? {}) as Record<string, string>).flatMap((text) => {
      try {
        const list = JSON.parse(text) as { items?: Obj[] };
        return (list.items ?? []).filter((i) => i.kind === kind);
      } catch {
        return [];
      }
    }),
  );
  return [...registered, ...embedded];
}

const nsOf = (m: Obj) => String(at(m, "metadata.namespace"));
const nameOf = (m: Obj) => String(at(m, "metadata.name"));

/** In-cluster Service names (`<service>.<namespace>`) and the pods each selects. */
function services(run: StackRun): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  const add = (service: string, namespace: string, labels: Labels) =>
    out.set(`${service}.${namespace}`, { namespace, labels });
  // cloudnative-pg v1.30 pkg/specs/services.go: <cluster>-rw/-ro/-r select cnpg.io/cluster (and
  // the instance role); instance pods carry cnpg.io/cluster and cnpg.io/podRole=instance.
  for (const c of manifests(run, "Cluster"))
    for (const suffix of ["rw", "ro", "r"])
      add(`${nameOf(c)}-${suffix}`, nsOf(c), { "cnpg.io/cluster": nameOf(c), "cnpg.io/podRole": "instance" });
  // redis-ha 4.39.0 templates/redis-ha-announce-service.yaml and redis-ha-service.yaml: select
  // app=redis-ha,release=<name> (the announce ones one pod each by statefulset pod name).
  for (const r of releases(run, charts.redisHa.chart)) {
    const pods = { app: "redis-ha", release: r.name };
    add(fullname(r, "redis-ha"), r.namespace, pods);
    for (let i = 0; i < Number(r.values.replicas); i++)
      add(`${fullname(r, "redis-ha")}-announce-${i}`, r.namespace, pods);
  }
  // minio 5.4.0 templates/service.yaml and statefulset.yaml's headless <fullname>-svc: app, release.
  for (const r of releases(run, charts.minio.chart)) {
    const pods = { app: "minio", release: r.name };
    add(fullname(r, "minio"), r.namespace, pods);
    add(`${fullname(r, "minio")}-svc`, r.namespace, pods);
  }
  // harbor-helm 1.19.2 templates/{database,redis}/*-svc.yaml (internal mode): component=<c>.
  for (const r of releases(run, charts.harbor.chart))
    for (const c of ["database", "redis"])
      add(`${fullname(r, "harbor")}-${c}`, r.namespace, { app: "harbor", release: r.name, component: c });
  return out;
}

/** A host as a pod selector or address: `<svc>.<ns>.svc[.cluster.local]`, a short name in `ns`, or `external`. */
function resolve(svc: Map<string, Endpoint>, host: string, namespace: string, external: string): Endpoint {
  if (net.isIP(host)) return { ip: host };
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
  const key = m ? `${m[1]}.${m[2]}` : !host.includes(".") ? `${host}.${namespace}` : undefined;
  if (key === undefined) return { ip: external };
  const found = svc.get(key);
  if (!found) throw new Error(`${host}: no Service the test knows selects pods for it`);
  return found;
}

const DEFAULT_PORTS: Record<string, number> = { https: 443, http: 80, ldaps: 636, ldap: 389 };

function hostPort(address: string): { host: string; port: number } {
  if (address.includes("://")) {
    const u = new URL(address);
    return { host: u.hostname, port: u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol.replace(":", "")] };
  }
  const [host, port] = address.split(":");
  return { host, port: Number(port) };
}

const s3Endpoint = (endpoint: unknown, region: unknown): string =>
  typeof endpoint === "string" && endpoint ? endpoint : `https://s3.${String(region)}.amazonaws.com`;

/** Every connection the stack's registrations configure. */
function connections(run: StackRun): Connection[] {
  const out: Connection[] = [];
  const link = (what: string, from: Endpoint, address: string) => {
    const { host, port } = hostPort(address);
    out.push({ what: `${what} -> ${address}`, from, to: host, port });
  };

  for (const h of releases(run, charts.harbor.chart)) {
    const pod = (component: string): Endpoint => ({
      namespace: h.namespace,
      labels: { app: "harbor", release: h.name, component },
    });
    const v = h.values;
    const internal = (c: string) => `${fullname(h, "harbor")}-${c}`;
    // harbor-helm 1.19.2 templates/core/core-cm.yaml (POSTGRESQL_HOST/PORT) and
    // exporter/exporter-cm-env.yaml (HARBOR_DATABASE_HOST/PORT): "harbor.database.host"/".port".
    const db =
      at(v, "database.type") === "external"
        ? `${String(at(v, "database.external.host"))}:${String(at(v, "database.external.port"))}`
        : `${internal("database")}:5432`;
    for (const c of ["core", "exporter"]) link(`harbor ${c} database`, pod(c), db);
    // "harbor.redis.*" helpers: core, jobservice, registry, trivy and the exporter use Redis; in
    // external mode `addr` lists the Sentinels, which hand out the master on the redis-ha
    // Release's redis.port (redis-ha 4.39.0 values.yaml).
    const redisUsers = ["core", "jobservice", "registry", "trivy", "exporter"];
    if (at(v, "redis.type") === "external") {
      const sentinels = String(at(v, "redis.external.addr")).split(",");
      const redisPort = releases(run, charts.redisHa.chart).map((r) => Number(at(r.values, "redis.port")));
      for (const c of redisUsers)
        for (const s of sentinels) {
          link(`harbor ${c} sentinel`, pod(c), s);
          for (const p of redisPort) link(`harbor ${c} redis master`, pod(c), `${s.split(":")[0]}:${p}`);
        }
    } else for (const c of redisUsers) link(`harbor ${c} redis`, pod(c), `${internal("redis")}:6379`);
    // The registry reads and writes blobs (harbor-helm registry-cm.yaml, storage.s3).
    if (at(v, "persistence.imageChartStorage.type") === "s3") {
      const s3 = at(v, "persistence.imageChartStorage.s3") as Obj;
      link("harbor registry S3", pod("registry"), s3Endpoint(s3.regionendpoint, s3.region));
    }
    // What Harbor's own configuration makes core call (API settings, registry endpoints); the
    // replication jobs run in jobservice.
    for (const s of run.byType("pulumi-nodejs:dynamic/harbor:HarborSettings")) {
      const values = (s.inputs.values ?? {}) as Obj;
      if (values.audit_log_forward_endpoint)
        link("harbor core audit syslog", pod("core"), String(values.audit_log_forward_endpoint));
      if (values.ldap_url) link("harbor core LDAP", pod("core"), String(values.ldap_url));
      if (values.oidc_endpoint) link("harbor core OIDC", pod("core"), String(values.oidc_endpoint));
    }
    for (const r of run.byType("pulumi-nodejs:dynamic/harbor:HarborRegistry"))
      for (const c of ["core", "jobservice"])
        link(`harbor ${c} registry ${String(r.inputs.name)}`, pod(c), String(r.inputs.url));
  }

  // barman-cloud: each Cluster's instances archive to (or recover from) the ObjectStores they name.
  const stores = new Map(manifests(run, "ObjectStore").map((s) => [`${nsOf(s)}/${nameOf(s)}`, s]));
  for (const c of manifests(run, "Cluster")) {
    const named = [
      ...((at(c, "spec.plugins") ?? []) as Obj[]),
      ...((at(c, "spec.externalClusters") ?? []) as Obj[]).map((e) => e.plugin as Obj | undefined),
    ].flatMap((p) => (isObj(p) && isObj(p.parameters) ? [String(p.parameters.barmanObjectName)] : []));
    for (const name of named) {
      const store = stores.get(`${nsOf(c)}/${name}`);
      expect(store, `${nameOf(c)} names ObjectStore ${name}`).to.not.equal(undefined);
      link(
        `cluster ${nameOf(c)} object store ${name}`,
        { namespace: nsOf(c), labels: { "cnpg.io/cluster": nameOf(c), "cnpg.io/podRole": "instance" } },
        s3Endpoint(at(store, "spec.configuration.endpointURL"), "us-east-1"),
      );
    }
  }

  // rclone remotes in the Jobs' environment (RCLONE_CONFIG_<REMOTE>_*, rclone docs/content/docs.md).
  for (const j of run.resources.filter((r) => /batch\/v1:(Cron)?Job$/.test(r.type))) {
    const template = (at(j.inputs, "spec.jobTemplate.spec.template") ?? at(j.inputs, "spec.template")) as Obj;
    const from = {
      namespace: String(at(j.inputs, "metadata.namespace")),
      labels: (at(template, "metadata.labels") ?? {}) as Labels,
    };
    const containers = [
      ...((at(template, "spec.initContainers") ?? []) as Obj[]),
      ...((at(template, "spec.containers") ?? []) as Obj[]),
    ];
    for (const c of containers) {
      const env = new Map(
        ((c.env ?? []) as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
      );
      for (const [k] of env) {
        const remote = /^RCLONE_CONFIG_([A-Z0-9_]+)_TYPE$/.exec(k)?.[1];
        if (!remote || env.get(k) !== "s3") continue;
        const endpoint = env.get(`RCLONE_CONFIG_${remote}_ENDPOINT`);
        expect(
          endpoint ?? env.get(`RCLONE_CONFIG_${remote}_PROVIDER`),
          `${nameOf(j.inputs)}: remote ${remote} has an endpoint or is AWS`,
        ).to.satisfy((x: string | undefined) => x !== undefined && (x.startsWith("https://") || x === "AWS"));
        link(
          `${nameOf(j.inputs)} rclone ${remote}`,
          from,
          s3Endpoint(endpoint, env.get(`RCLONE_CONFIG_${remote}_REGION`)),
        );
      }
    }
  }

  // fluent-bit's outputs: `Host` and `Port` of each [OUTPUT] (fluent-bit 0.58.1 config.outputs).
  for (const f of releases(run, charts.fluentBit.chart)) {
    const from = {
      namespace: f.namespace,
      labels: { "app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": f.name },
    };
    for (const block of String(at(f.values, "config.outputs") ?? "")
      .split("[OUTPUT]")
      .slice(1)) {
      const field = (k: string) => new RegExp(`^\\s*${k}\\s+(\\S+)`, "mi").exec(block)?.[1];
      if (field("Host"))
        link(`fluent-bit output ${field("Name")}`, from, `${field("Host")}:${field("Port")}`);
    }
  }

  // Admission webhooks the API server calls: cert-manager v1.21.1 webhook-deployment.yaml
  // (containerPort webhook.securePort) and cloudnative-pg 0.29.0 deployment.yaml (webhook.port).
  const cidrs = parseConfig(stackConfig(run.stack)).networkPolicy.apiServerCidrs;
  const webhooks: [string, string, (r: Rel) => Labels][] = [
    [
      charts.certManager.chart,
      "webhook.securePort",
      (r) => ({
        "app.kubernetes.io/name": "webhook",
        "app.kubernetes.io/instance": r.name,
        "app.kubernetes.io/component": "webhook",
      }),
    ],
    [
      charts.cloudnativePg.chart,
      "webhook.port",
      (r) => ({ "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": r.name }),
    ],
  ];
  for (const cidr of cidrs)
    for (const [chart, port, pods] of webhooks)
      for (const r of releases(run, chart))
        out.push({
          what: `API server -> ${chart} webhook`,
          from: { ip: cidr.split("/")[0] },
          to: { namespace: r.namespace, labels: pods(r) },
          port: Number(at(r.values, port)),
        });
  return out;
}

/** The connections the policies block, as one line each (empty: all admitted). */
function blocked(run: StackRun, external = PUBLIC_ADDRESS): { all: Connection[]; blocked: string[] } {
  const all = connections(run);
  const svc = services(run);
  const policies = policiesOf(run);
  const lines = all.flatMap((c) => {
    const namespace = "namespace" in c.from ? c.from.namespace : "";
    const to = typeof c.to === "string" ? resolve(svc, c.to, namespace, external) : c.to;
    const v = admits(policies, c.from, to, c.port);
    return v.egress && v.ingress
      ? []
      : [`${c.what} (port ${c.port}): ${v.egress ? "" : "egress "}${v.ingress ? "" : "ingress "}blocked`];
  });
  return { all, blocked: lines };
}

const prodDr = () => stackConfig("prod").dr as { bucketName: string };

/** Air-gapped: `mirror.registry` set (the address of every name outside the cluster is SITE_ADDRESS). */
const MIRROR = { registry: "harbor.site.example/mirror" };

const CASES: [string, string, () => Record<string, unknown>, RegExp[]][] = [
  [
    "prod",
    "prod",
    () => ({}),
    [
      /database -> harbor-pg-rw/,
      /sentinel/,
      /registry S3/,
      /object store/,
      /dr-mirror rclone DR/,
      /syslog/,
      /fluent-bit/,
      /webhook/,
    ],
  ],
  ["dev with logging", "dev", devWithOptions, [/database/, /redis/, /fluent-bit/]],
  [
    // The same override as test/prod.test.ts (the evaluation is shared).
    "prod with an external object store",
    "prod",
    () => ({
      objectStore: { mode: "external", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
      objectStoreAccessKey: new StackSecret("AKIAEXAMPLE"),
      objectStoreSecretKey: new StackSecret("example-secret"),
    }),
    [/registry S3 -> https:\/\/s3\.eu-west-1/, /object store .* -> https:\/\/s3\.eu-west-1/],
  ],
  [
    "prod restoring from the DR copy (the refill)",
    "prod",
    () => ({
      restore: {
        enabled: true,
        source: {
          bucket: prodDr().bucketName,
          region: stackConfig("prod")["aws:region"],
          serverName: "harbor-pg",
        },
        targetTime: "2026-03-01T10:30:00Z",
      },
    }),
    [/dr-refill rclone/],
  ],
  [
    "prod with OIDC, robots, a registry on its own port and an external object store",
    "prod",
    () => PROD_WITH_OPTIONS,
    [
      /OIDC -> https:\/\/sso/,
      /jobservice registry upstream -> https:\/\/upstream.example.com:8443/,
      /registry S3 -> https:\/\/s3/,
    ],
  ],
  [
    "prod with LDAP",
    "prod",
    () => ({
      harborConfig: {
        settings: {
          auth: LDAP_AUTH,
        },
      },
      ldapPassword: new StackSecret("s"),
    }),
    [/LDAP -> ldaps:/],
  ],
  // Air-gapped: images from the site's registry, so egress reaches only the site's ranges.
  ["prod, air-gapped", "prod", () => ({ mirror: MIRROR }), [/dr-mirror rclone DR/, /syslog/, /fluent-bit/]],
  [
    "prod, air-gapped, with OIDC, a registry on its own port and an external object store",
    "prod",
    () => ({ ...PROD_WITH_OPTIONS, mirror: MIRROR }),
    [/OIDC -> https:\/\/sso/, /registry upstream -> https:\/\/upstream/, /registry S3 -> https:\/\/s3/],
  ],
  ["dev with logging, air-gapped", "dev", () => ({ ...devWithOptions(), mirror: MIRROR }), [/fluent-bit/]],
];

describe("every connection the program configures is admitted by the NetworkPolicies", () => {
  for (const [what, stack, overrides, expected] of CASES) {
    it(`${what}`, async () => {
      const run = await evaluateStack(stack, overrides());
      const airGapped = "mirror" in overrides();
      const { all, blocked: lines } = blocked(run, airGapped ? SITE_ADDRESS : PUBLIC_ADDRESS);
      for (const e of expected)
        expect(
          all.map((c) => c.what),
          `a connection matching ${e}`,
        ).to.satisfy((w: string[]) => w.some((x) => e.test(x)));
      expect(lines, "connections a NetworkPolicy blocks").to.deep.equal([]);
    });
  }

  it("finds the block when Harbor loses its egress to the database (the check can fail)", async () => {
    const run = await evaluateStack("prod");
    const toDatabase = flowPolicy(run, "harbor", "to-database");
    // Without its rule, the policy still selects Harbor's pods and denies what its other rules do not admit.
    (toDatabase.policy.inputs.spec as { egress: unknown[] }).egress.splice(toDatabase.index, 1);
    expect(blocked(run).blocked.join("\n")).to.match(/harbor core database .*egress blocked/);
  });
});
