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
import { admits, flowPolicy, inCidr, policiesOf, type Endpoint, type Labels } from "./network-policy";
import { devWithOptions, PROD_WITH_OPTIONS, LDAP_AUTH } from "../harness/options";
import { fluentBitSkipsProxy, goSkipsProxy } from "../../config/proxy";
import {
  CORPORATE_PROXY,
  OUTBOUND_CALLERS,
  PROXY_ADDRESS,
  PROXY_HOSTS,
  prodBehindProxy,
} from "../restricted/fixtures";

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
  /** The proxy the caller's environment sends this call to (`host:port`), if any. */
  readonly proxy?: string;
}

/**
 * A process's proxy environment, read as its client library does: Go's ProxyFromEnvironment
 * (golang.org/x/net http/httpproxy: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY by
 * domain, IP and CIDR; goSkipsProxy, held to a real Go program in test/restricted) or Fluent
 * Bit's (HTTP_PROXY for everything, NO_PROXY by whole host name; fluent-bit v5.1.1
 * src/flb_upstream.c).
 */
interface ProxyEnv {
  readonly kind: "go" | "fluent-bit";
  readonly env: Readonly<Record<string, string | undefined>>;
}

const envOf = (vars: unknown): Record<string, string | undefined> =>
  Object.fromEntries(
    ((vars ?? []) as { name: string; value?: unknown }[]).map((e) => [
      e.name,
      typeof e.value === "string" ? e.value : undefined,
    ]),
  );

/** Where `address` goes under `p`: the proxy's `host:port`, or undefined for directly. */
function proxyFor(p: ProxyEnv | undefined, address: string): string | undefined {
  if (!p || !address.includes("://")) return undefined;
  const u = new URL(address);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol.replace(":", "")];
  const noProxy = (p.env.NO_PROXY ?? "").split(",");
  let proxy: string | undefined;
  if (p.kind === "fluent-bit") {
    proxy = p.env.HTTP_PROXY;
    if (proxy && fluentBitSkipsProxy([p.env.NO_PROXY ?? ""], u.hostname)) return undefined;
  } else {
    proxy =
      u.protocol === "https:" ? p.env.HTTPS_PROXY : u.protocol === "http:" ? p.env.HTTP_PROXY : undefined;
    if (proxy && goSkipsProxy(noProxy, u.hostname, port)) return undefined;
  }
  if (!proxy) return undefined;
  const pu = new URL(proxy.includes("://") ? proxy : `http://${proxy}`);
  return `${pu.hostname}:${pu.port || (pu.protocol === "https:" ? 443 : 80)}`;
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

/** What the site's DNS answers for names outside the cluster, and where the API server is. */
interface Site {
  readonly hosts: Readonly<Record<string, string>>;
  readonly apiServer: string;
  /** Any other name outside the cluster: PUBLIC_ADDRESS, or SITE_ADDRESS on an air-gapped site. */
  readonly external: string;
}

/**
 * A host as a pod selector or address: the API server's Service name, `<svc>.<ns>.svc[.cluster.local]`,
 * a short name in `ns`, a name the site's DNS knows, or `site.external`.
 */
function resolve(svc: Map<string, Endpoint>, host: string, namespace: string, site: Site): Endpoint {
  if (net.isIP(host)) return { ip: host };
  if (host === "kubernetes.default.svc") return { ip: site.apiServer };
  if (site.hosts[host]) return { ip: site.hosts[host] };
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
  const key = m ? `${m[1]}.${m[2]}` : !host.includes(".") ? `${host}.${namespace}` : undefined;
  if (key === undefined) return { ip: site.external };
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
  const link = (what: string, from: Endpoint, address: string, env?: ProxyEnv) => {
    const { host, port } = hostPort(address);
    const proxy = proxyFor(env, address);
    out.push({ what: `${what} -> ${address}`, from, to: host, port, ...(proxy ? { proxy } : {}) });
  };

  for (const h of releases(run, charts.harbor.chart)) {
    const pod = (component: string): Endpoint => ({
      namespace: h.namespace,
      labels: { app: "harbor", release: h.name, component },
    });
    const v = h.values;
    const internal = (c: string) => `${fullname(h, "harbor")}-${c}`;
    // harbor-helm 1.19.2: each component in proxy.components gets HTTP(S)_PROXY and a NO_PROXY
    // of the chart's Service names and proxy.noProxy (`harbor.noProxy`, _helpers.tpl); the
    // exporter follows jobservice (exporter-cm-env.yaml).
    const harborNoProxy = [
      ...["core", "jobservice", "database", "registry", "portal", "trivy", "exporter"].map(internal),
      String(at(v, "proxy.noProxy") ?? ""),
    ].join(",");
    const proxied = (at(v, "proxy.components") ?? []) as string[];
    const harborEnv = (c: string): ProxyEnv | undefined =>
      proxied.includes(c === "exporter" ? "jobservice" : c) && at(v, "proxy.httpsProxy")
        ? {
            kind: "go",
            env: {
              HTTP_PROXY: String(at(v, "proxy.httpProxy") ?? ""),
              HTTPS_PROXY: String(at(v, "proxy.httpsProxy") ?? ""),
              NO_PROXY: harborNoProxy,
            },
          }
        : undefined;
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
      link(
        "harbor registry S3",
        pod("registry"),
        s3Endpoint(s3.regionendpoint, s3.region),
        harborEnv("registry"),
      );
    }
    // What Harbor's own configuration makes core call (API settings, registry endpoints); the
    // replication jobs run in jobservice.
    for (const s of run.byType("pulumi-nodejs:dynamic/harbor:HarborSettings")) {
      const values = (s.inputs.values ?? {}) as Obj;
      if (values.audit_log_forward_endpoint)
        link("harbor core audit syslog", pod("core"), String(values.audit_log_forward_endpoint));
      if (values.ldap_url) link("harbor core LDAP", pod("core"), String(values.ldap_url));
      if (values.oidc_endpoint)
        link("harbor core OIDC", pod("core"), String(values.oidc_endpoint), harborEnv("core"));
    }
    for (const r of run.byType("pulumi-nodejs:dynamic/harbor:HarborRegistry"))
      for (const c of ["core", "jobservice"])
        link(`harbor ${c} registry ${String(r.inputs.name)}`, pod(c), String(r.inputs.url), harborEnv(c));
    // Trivy's databases (trivy-sts.yaml SCANNER_TRIVY_*; the adapter passes them to trivy,
    // harbor-scanner-trivy v0.38.0 pkg/trivy/wrapper.go), unless it may not download them.
    const repos = [
      ...(at(v, "trivy.skipUpdate") === true ? [] : ((at(v, "trivy.dbRepository") ?? []) as string[])),
      ...(at(v, "trivy.skipJavaDBUpdate") === true
        ? []
        : ((at(v, "trivy.javaDBRepository") ?? []) as string[])),
    ];
    for (const r of repos)
      link(`harbor trivy DB ${r}`, pod("trivy"), `https://${r.split("/")[0]}`, harborEnv("trivy"));
  }

  // cert-manager's controller: the ACME server and the HTTP-01 self-check of the public name,
  // with the chart's http_proxy/https_proxy/no_proxy (cert-manager v1.21.1 deployment.yaml).
  for (const r of releases(run, charts.certManager.chart)) {
    const from = {
      namespace: r.namespace,
      labels: {
        "app.kubernetes.io/name": "cert-manager",
        "app.kubernetes.io/instance": r.name,
        "app.kubernetes.io/component": "controller",
      },
    };
    const env: ProxyEnv = {
      kind: "go",
      env: {
        HTTP_PROXY: at(r.values, "http_proxy") as string | undefined,
        HTTPS_PROXY: at(r.values, "https_proxy") as string | undefined,
        NO_PROXY: at(r.values, "no_proxy") as string | undefined,
      },
    };
    for (const issuer of run.resources.filter((x) => x.inputs.kind === "ClusterIssuer")) {
      const server = at(issuer.inputs, "spec.acme.server");
      if (typeof server !== "string") continue;
      link("cert-manager ACME", from, server, env);
      for (const cert of run.resources.filter((x) => x.inputs.kind === "Certificate"))
        if (at(cert.inputs, "spec.issuerRef.name") === at(issuer.inputs, "metadata.name"))
          for (const name of (at(cert.inputs, "spec.dnsNames") ?? []) as string[])
            link("cert-manager HTTP-01 self-check", from, `http://${name}`, env);
    }
  }

  // Velero's server (and the AWS plugin it runs) to its BackupStorageLocation's bucket, with
  // configuration.extraEnvVars in its env (velero chart 12.1.0 deployment.yaml).
  for (const r of releases(run, charts.velero.chart)) {
    const from = {
      namespace: r.namespace,
      labels: { "app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": r.name },
    };
    const env: ProxyEnv = { kind: "go", env: envOf(at(r.values, "configuration.extraEnvVars")) };
    for (const bsl of run.resources.filter((x) => x.inputs.kind === "BackupStorageLocation"))
      link("velero S3", from, s3Endpoint(undefined, at(bsl.inputs, "spec.config.region")), env);
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
      // rclone's HTTP client reads Go's proxy environment (rclone v1.75.0 fs/fshttp/http.go).
      const proxyEnv: ProxyEnv = { kind: "go", env: envOf(c.env) };
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
          proxyEnv,
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
    const env: ProxyEnv = { kind: "fluent-bit", env: envOf(at(f.values, "env")) };
    for (const block of String(at(f.values, "config.outputs") ?? "")
      .split("[OUTPUT]")
      .slice(1)) {
      const field = (k: string) => new RegExp(`^\\s*${k}\\s+(\\S+)`, "mi").exec(block)?.[1];
      if (field("Host"))
        link(`fluent-bit output ${field("Name")}`, from, `https://${field("Host")}:${field("Port")}`, env);
    }
    // The kubernetes filter reads pod metadata from the API server at its default kube_url
    // (fluent-bit v5.1.1 plugins/filter_kubernetes/kubernetes.c), through the same upstream code.
    link("fluent-bit kubernetes filter", from, "https://kubernetes.default.svc:443", env);
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

/**
 * The connections the policies block, as one line each (empty: all admitted). A call the
 * caller's environment sends to the proxy is checked as a call to the proxy, and must not be
 * one to the cluster itself, which the proxy cannot reach.
 */
function blocked(
  run: StackRun,
  overrides: Record<string, unknown> = {},
  hosts: Readonly<Record<string, string>> = {},
): { all: Connection[]; blocked: string[] } {
  const all = connections(run);
  const svc = services(run);
  const policies = policiesOf(run);
  const cfg = parseConfig(stackConfig(run.stack, overrides));
  // Air-gapped (`mirror.registry`): every name outside the cluster lies in the site's ranges.
  const external = cfg.mirror?.registry ? SITE_ADDRESS : PUBLIC_ADDRESS;
  const api = cfg.networkPolicy.apiServerCidrs[0];
  // dev's default API server range is every address: it answers wherever names resolve.
  const site: Site = { hosts, apiServer: api.endsWith("/0") ? external : api.split("/")[0], external };
  const clusterRanges = cfg.proxy ? [...cfg.proxy.serviceCidrs, ...cfg.proxy.podCidrs] : [];
  const lines = all.flatMap((c) => {
    const namespace = "namespace" in c.from ? c.from.namespace : "";
    const target = typeof c.to === "string" ? resolve(svc, c.to, namespace, site) : c.to;
    const inCluster =
      !("ip" in target) ||
      (typeof c.to === "string" && (!c.to.includes(".") || /\.svc(\.cluster\.local)?$/.test(c.to))) ||
      clusterRanges.some((r) => inCidr(target.ip, r));
    if (c.proxy && inCluster) return [`${c.what}: an in-cluster call sent to the proxy ${c.proxy}`];
    const [to, port] = c.proxy
      ? [resolve(svc, c.proxy.split(":")[0], namespace, site), Number(c.proxy.split(":")[1])]
      : [target, c.port];
    const v = admits(policies, c.from, to, port);
    const via = c.proxy ? ` via the proxy ${c.proxy}` : "";
    return v.egress && v.ingress
      ? []
      : [`${c.what} (port ${port}${via}): ${v.egress ? "" : "egress "}${v.ingress ? "" : "ingress "}blocked`];
  });
  return { all, blocked: lines };
}

const prodDr = () => stackConfig("prod").dr as { bucketName: string };

type Case = [string, string, () => Record<string, unknown>, RegExp[], Readonly<Record<string, string>>?];

/** Air-gapped: `mirror.registry` set (the address of every name outside the cluster is SITE_ADDRESS). */
const MIRROR = { registry: "harbor.site.example/mirror" };

const CASES: Case[] = [
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
  [
    "prod behind a corporate proxy (an ACME issuer, OIDC on the internal network)",
    "prod",
    prodBehindProxy,
    [
      /velero S3/,
      /ACME/,
      /HTTP-01/,
      /trivy DB/,
      /rclone DR/,
      /rclone MINIO/,
      /OIDC/,
      /syslog/,
      /kubernetes filter/,
    ],
    PROXY_HOSTS,
  ],
  [
    "dev with logging behind a corporate proxy",
    "dev",
    () => ({ ...devWithOptions(), proxy: { ...CORPORATE_PROXY, internalCidrs: undefined } }),
    [/fluent-bit output/, /trivy DB/],
    PROXY_HOSTS,
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
  // Both: the proxy lies in the site; Trivy reads the mirrored databases through it.
  [
    "prod, air-gapped behind a corporate proxy",
    "prod",
    () => ({ ...prodBehindProxy(), mirror: MIRROR }),
    [/velero S3/, /ACME/, /trivy DB harbor\.site\.example/, /rclone DR/, /OIDC/, /syslog/],
    PROXY_HOSTS,
  ],
];

describe("every connection the program configures is admitted by the NetworkPolicies", () => {
  for (const [what, stack, overrides, expected, hosts = {}] of CASES) {
    it(`${what}`, async () => {
      const run = await evaluateStack(stack, overrides());
      const { all, blocked: lines } = blocked(run, overrides(), hosts);
      for (const e of expected)
        expect(
          all.map((c) => c.what),
          `a connection matching ${e}`,
        ).to.satisfy((w: string[]) => w.some((x) => e.test(x)));
      expect(lines, "connections a NetworkPolicy blocks").to.deep.equal([]);
    });
  }

  it("finds a call sent to the proxy that is in-cluster (the check can fail)", async () => {
    const run = await evaluateStack("prod", prodBehindProxy());
    // Without `.svc` in NO_PROXY, the mirror's MinIO remote would go to the proxy.
    for (const job of run.resources.filter((r) => /batch\/v1:CronJob$/.test(r.type)))
      for (const c of (at(job.inputs, "spec.jobTemplate.spec.template.spec.containers") ?? []) as {
        env?: { name: string; value?: string }[];
      }[])
        for (const e of c.env ?? [])
          if (e.name === "NO_PROXY") e.value = (e.value ?? "").replace(/(^|,)\.svc(,|$)/, "$1");
    expect(blocked(run, prodBehindProxy(), PROXY_HOSTS).blocked.join("\n")).to.match(
      /rclone MINIO .*in-cluster call sent to the proxy/,
    );
  });

  it("finds the block when Harbor loses its egress to the database (the check can fail)", async () => {
    const run = await evaluateStack("prod");
    const toDatabase = flowPolicy(run, "harbor", "to-database");
    // Without its rule, the policy still selects Harbor's pods and denies what its other rules do not admit.
    (toDatabase.policy.inputs.spec as { egress: unknown[] }).egress.splice(toDatabase.index, 1);
    expect(blocked(run).blocked.join("\n")).to.match(/harbor core database .*egress blocked/);
  });
});

describe("behind a corporate proxy (proxy set)", () => {
  const PROXY = "proxy.corp.example.com:3128";
  /** Where each matching connection goes: the proxy's host:port, or `direct`. */
  const routes = (all: Connection[], re: RegExp): string[] =>
    all.filter((c) => re.test(c.what)).map((c) => c.proxy ?? "direct");

  it("sends the calls out of the site to the proxy, the internal and in-cluster ones directly", async () => {
    const run = await evaluateStack("prod", prodBehindProxy());
    const { all } = blocked(run, prodBehindProxy(), PROXY_HOSTS);
    const through = [
      /velero S3/,
      /cert-manager ACME/,
      /HTTP-01/,
      /trivy DB/,
      /rclone DR/,
      /fluent-bit output/,
      /harbor (core|jobservice) registry/,
    ];
    for (const re of through)
      expect(routes(all, re), String(re)).to.satisfy(
        (r: string[]) => r.length > 0 && r.every((x) => x === PROXY),
        `every connection matching ${re} goes to the proxy`,
      );
    // MinIO, the API server, the internal OIDC (in noProxy), syslog and the data tier: never.
    const around = [/rclone MINIO/, /kubernetes filter/, /OIDC/, /syslog/, /database/, /sentinel/];
    for (const re of around)
      expect(routes(all, re), String(re)).to.satisfy(
        (r: string[]) => r.length > 0 && r.every((x) => x === "direct"),
        `every connection matching ${re} goes directly`,
      );
  });

  /** Egress rules' address ranges in every policy the stack registers. */
  const egressCidrs = (run: StackRun): string[] =>
    policiesOf(run).flatMap((p) =>
      ((p.spec.egress ?? []) as { to?: { ipBlock?: { cidr: string } }[] }[]).flatMap((rule) =>
        (rule.to ?? []).flatMap((peer) =>
          peer.ipBlock ? [`${p.namespace}/${p.name}: ${peer.ipBlock.cidr}`] : [],
        ),
      ),
    );

  it("opens no egress to every address: the proxy and the internal ranges take its place", async () => {
    // Without a proxy, names outside the cluster can only be admitted as 0.0.0.0/0.
    expect(egressCidrs(await evaluateStack("prod")).join("\n")).to.contain("0.0.0.0/0");
    const cidrs = egressCidrs(await evaluateStack("prod", prodBehindProxy()));
    expect(cidrs.filter((c) => c.endsWith(" 0.0.0.0/0") || c.endsWith(" ::/0"))).to.deep.equal([]);
    expect(cidrs.join("\n")).to.contain("10.20.0.5/32").and.to.contain("10.30.0.0/16");
  });

  it("blocks a direct call from Harbor, Velero, cert-manager or the mirror to a public address", async () => {
    const run = await evaluateStack("prod", prodBehindProxy());
    const policies = policiesOf(run);
    for (const from of OUTBOUND_CALLERS) {
      expect(admits(policies, from, { ip: PUBLIC_ADDRESS }, 443).egress, JSON.stringify(from)).to.equal(
        false,
      );
      expect(admits(policies, from, { ip: PROXY_ADDRESS }, 3128).egress, JSON.stringify(from)).to.equal(true);
    }
  });
});
