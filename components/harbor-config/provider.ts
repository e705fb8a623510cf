// Dynamic providers over Harbor's REST API 2.0. One generic provider class dispatches to a
// handler per resource kind. This module and the client are what the dynamic-provider host runs
// (host.cjs loads them and provider-module.ts from source), so they stay light: each other and
// node's built-ins only;
// Pulumi appears here as types only.
import type * as pulumi from "@pulumi/pulumi";
import { HarborApiError, HarborClient, HarborConnection, RetryOptions } from "./client";
import { KIND_INPUT, PROVIDER_INPUT } from "./provider-module";

export type Kind =
  | "settings"
  | "gc"
  | "auditLogPurge"
  | "scanAll"
  | "registry"
  | "project"
  | "robot"
  | "retention"
  | "immutableRule"
  | "replication";

type Props = Record<string, unknown>;
interface Inputs extends Props {
  connection: HarborConnection;
}

/** Client tuning; tests replace `sleep` so backoff costs no wall time. */
export const clientSettings: { retry: Partial<RetryOptions> } = { retry: {} };

interface Handler {
  /** Declared fields whose change needs a new object. */
  readonly replaces: readonly string[];
  create(c: HarborClient, inputs: Inputs): Promise<{ id: string; outs: Props }>;
  /** Live state in the shape of the declared inputs (plus outputs); undefined when gone. One logical read. */
  read(c: HarborClient, id: string, props: Inputs): Promise<Props | undefined>;
  update(c: HarborClient, id: string, olds: Inputs, news: Inputs, changed: Set<string>): Promise<Props>;
  delete(c: HarborClient, id: string, props: Inputs): Promise<void>;
}

/** Keys compared by diff: everything declared except the connection and Pulumi's own. */
function declaredKeys(news: Props): string[] {
  return Object.keys(news).filter((k) => k !== "connection" && !k.startsWith("__"));
}

/** Order-preserving, key-order-insensitive JSON for deep equality. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .filter((k) => (v as Props)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Props)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

export function changedKeys(olds: Props, news: Props): Set<string> {
  return new Set(declaredKeys(news).filter((k) => canonical(olds[k]) !== canonical(news[k])));
}

const notFound = (e: unknown) => e instanceof HarborApiError && e.status === 404;

async function orGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

// ---- schedules: GC, audit-log purge, scan-all share one shape --------------------------------

interface ScheduleView {
  schedule?: { type?: string; cron?: string };
  job_parameters?: string;
  parameters?: Props;
}

function scheduleHandler(
  path: string,
  toParams: (i: Props) => Props | undefined,
  fromParams: (p: Props) => Props,
): Handler {
  const body = (i: Props) => ({
    schedule: { type: "Custom", cron: i.cron },
    ...(toParams(i) ? { parameters: toParams(i) } : {}),
  });
  return {
    replaces: [],
    async create(c, inputs) {
      // One schedule per Harbor: an existing one (409) is adopted and overwritten.
      const res = await c.request("POST", path, { body: body(inputs), accept: [409], dedup: true });
      if (res.status === 409) await c.request("PUT", path, { body: body(inputs) });
      return { id: path, outs: {} };
    },
    async read(c, _id, props) {
      const view = (await c.get<ScheduleView>(path)).body;
      const type = view?.schedule?.type;
      // An unset schedule is an empty 200 body (GC, purge) or type None (scan-all).
      if (!view || !type || type === "None") return undefined;
      const params = view.job_parameters
        ? (JSON.parse(view.job_parameters) as Props)
        : (view.parameters ?? {});
      return { ...props, cron: view.schedule?.cron, ...fromParams(params) };
    },
    async update(c, _id, _olds, news) {
      await c.request("PUT", path, { body: body(news) });
      return {};
    },
    async delete(c) {
      await c.request("PUT", path, { body: { schedule: { type: "None" } } });
    },
  };
}

// ---- settings ----------------------------------------------------------------------------------

type ConfigValue = string | number | boolean;
interface ConfigItem {
  value?: ConfigValue;
}

const settings: Handler = {
  replaces: [],
  async create(c, inputs) {
    // Only differing keys are sent: auth_mode may change only while admin is the only user and
    // audit_log_forward_endpoint is dialled on every PUT that carries it.
    const live = await liveSettings(c, inputs.values as Props);
    const put = diffSettings(live, inputs);
    if (Object.keys(put).length > 0) await c.request("PUT", "/configurations", { body: put });
    return { id: "configurations", outs: {} };
  },
  async read(c, _id, props) {
    return { ...props, values: await liveSettings(c, props.values as Props) };
  },
  async update(c, _id, olds, news) {
    const put = diffSettings(olds.values as Props, news, olds.writeOnly as Props);
    if (Object.keys(put).length > 0) await c.request("PUT", "/configurations", { body: put });
    return {};
  },
  async delete() {
    // Harbor settings cannot be unset; removing the resource leaves Harbor as it is.
  },
};

async function liveSettings(c: HarborClient, declared: Props): Promise<Props> {
  const all = (await c.get<Record<string, ConfigItem>>("/configurations")).body ?? {};
  return Object.fromEntries(Object.keys(declared).map((k) => [k, all[k]?.value]));
}

function diffSettings(liveValues: Props, news: Inputs, oldWriteOnly: Props = {}): Props {
  const put: Props = {};
  const values = news.values as Props;
  for (const k of Object.keys(values))
    if (canonical(values[k]) !== canonical(liveValues[k])) put[k] = values[k];
  const wo = (news.writeOnly ?? {}) as Props;
  // Write-only values (OIDC client secret, LDAP password) cannot be read back: send them on
  // create, when they change, or when the auth settings they belong to are sent.
  const authTouched = Object.keys(put).some(
    (k) => k.startsWith("oidc_") || k.startsWith("ldap_") || k === "auth_mode",
  );
  for (const k of Object.keys(wo)) if (authTouched || wo[k] !== oldWriteOnly[k]) put[k] = wo[k];
  return put;
}

// ---- registries --------------------------------------------------------------------------------

interface RegistryView {
  id: number;
  name: string;
  type: string;
  url: string;
  insecure?: boolean;
  credential?: { access_key?: string };
}

const registry: Handler = {
  replaces: ["type"],
  async create(c, inputs) {
    const id = await c.create("/registries", registryBody(inputs), () =>
      findByName<RegistryView>(c, "/registries", inputs.name as string),
    );
    await c.request("PUT", `/registries/${id}`, { body: registryUpdate(inputs) });
    return { id: String(id), outs: { registryId: id } };
  },
  async read(c, id, props) {
    const r = (await orGone(c.get<RegistryView>(`/registries/${id}`)))?.body;
    if (!r) return undefined;
    return {
      ...props,
      name: r.name,
      type: r.type,
      url: r.url,
      insecure: r.insecure ?? false,
      accessKey: r.credential?.access_key ?? "",
    };
  },
  async update(c, id, _olds, news) {
    await c.request("PUT", `/registries/${id}`, { body: registryUpdate(news) });
    return {};
  },
  async delete(c, id) {
    await orGone(c.request("DELETE", `/registries/${id}`));
  },
};

function registryBody(i: Props): Props {
  return {
    name: i.name,
    type: i.type,
    url: i.url,
    insecure: i.insecure,
    ...(i.accessKey
      ? { credential: { type: "basic", access_key: i.accessKey, access_secret: i.accessSecret } }
      : {}),
  };
}

function registryUpdate(i: Props): Props {
  return {
    name: i.name,
    url: i.url,
    insecure: i.insecure,
    ...(i.accessKey
      ? { credential_type: "basic", access_key: i.accessKey, access_secret: i.accessSecret }
      : {}),
  };
}

/** 409 adoption: the existing object with exactly this name. */
async function findByName<T extends { id: number; name: string }>(
  c: HarborClient,
  path: string,
  name: string,
): Promise<number | undefined> {
  const list = (await c.get<T[]>(path, { name })).body ?? [];
  return list.find((x) => x.name === name)?.id;
}

// ---- projects ----------------------------------------------------------------------------------

interface ProjectView {
  project_id: number;
  name: string;
  registry_id?: number;
  metadata?: Record<string, string | null>;
  cve_allowlist?: { items?: { cve_id?: string }[] };
}
interface QuotaView {
  id: number;
  hard: { storage?: number };
}

function projectMetadata(i: Props): Record<string, string> {
  const sev = i.preventVulnerable as string;
  const allowlist = i.cveAllowlist as string[];
  return {
    public: String(i.public),
    auto_scan: String(i.scanOnPush),
    prevent_vul: String(sev !== "none"),
    severity: sev === "none" ? "low" : sev,
    enable_content_trust_cosign: String(i.cosign),
    reuse_sys_cve_allowlist: String(allowlist.length === 0),
  };
}

function projectBody(i: Props): Props {
  return {
    metadata: projectMetadata(i),
    cve_allowlist: { items: (i.cveAllowlist as string[]).map((cve_id) => ({ cve_id })) },
  };
}

const project: Handler = {
  replaces: ["name", "registryId"],
  async create(c, inputs) {
    const name = inputs.name as string;
    const registryId = inputs.registryId as number;
    const body = {
      project_name: name,
      public: inputs.public,
      storage_limit: inputs.quotaBytes,
      ...projectBody(inputs),
      ...(registryId ? { registry_id: registryId } : {}),
    };
    let adopted = false;
    const id = await c.create("/projects", body, async () => {
      adopted = true;
      const list = (await c.get<ProjectView[]>("/projects", { name })).body ?? [];
      return list.find((p) => p.name === name)?.project_id;
    });
    const quota = (await c.get<QuotaView[]>("/quotas", { reference: "project", reference_id: String(id) }))
      .body?.[0];
    if (!quota) throw new HarborApiError("GET", "/quotas", 200, `no quota for project ${name}`, "");
    if (adopted) {
      await c.request("PUT", `/projects/${id}`, { body: projectBody(inputs) });
      await c.request("PUT", `/quotas/${quota.id}`, { body: { hard: { storage: inputs.quotaBytes } } });
    }
    const p = (await c.get<ProjectView>(`/projects/${id}`)).body;
    return {
      id: String(id),
      outs: { projectId: id, quotaId: quota.id, retentionId: Number(p?.metadata?.retention_id ?? 0) },
    };
  },
  async read(c, id, props) {
    const p = (await orGone(c.get<ProjectView>(`/projects/${id}`)))?.body;
    if (!p) return undefined;
    const q = (await c.get<QuotaView>(`/quotas/${props.quotaId as number}`)).body;
    const md = p.metadata ?? {};
    return {
      ...props,
      name: p.name,
      registryId: p.registry_id ?? 0,
      public: md.public === "true",
      quotaBytes: q?.hard.storage,
      scanOnPush: md.auto_scan === "true",
      preventVulnerable: md.prevent_vul === "true" ? (md.severity ?? "low") : "none",
      cosign: md.enable_content_trust_cosign === "true",
      cveAllowlist: (p.cve_allowlist?.items ?? []).map((x) => x.cve_id),
      retentionId: Number(md.retention_id ?? 0),
    };
  },
  async update(c, id, olds, news, changed) {
    if (["public", "scanOnPush", "preventVulnerable", "cosign", "cveAllowlist"].some((k) => changed.has(k))) {
      await c.request("PUT", `/projects/${id}`, { body: projectBody(news) });
    }
    // PUT /projects ignores storage_limit: the quota has its own endpoint.
    if (changed.has("quotaBytes"))
      await c.request("PUT", `/quotas/${olds.quotaId as number}`, {
        body: { hard: { storage: news.quotaBytes } },
      });
    return { projectId: olds.projectId, quotaId: olds.quotaId, retentionId: olds.retentionId };
  },
  async delete(c, id, props) {
    try {
      await orGone(c.request("DELETE", `/projects/${id}`));
    } catch (e) {
      // Harbor refuses to delete a project that still holds repositories (412).
      if (e instanceof HarborApiError && e.status === 412) {
        throw new Error(
          `Harbor project ${String(props.name)} still has repositories: delete them (or keep the project) before removing it from harborConfig. ${e.message}`,
        );
      }
      throw e;
    }
  },
};

// ---- robots ------------------------------------------------------------------------------------

interface RobotAccessView {
  resource: string;
  action: string;
}
interface RobotView {
  id: number;
  name: string;
  level: string;
  description?: string;
  duration?: number;
  expires_at?: number;
  permissions?: { kind: string; namespace: string; access: RobotAccessView[] }[];
}

function robotBody(i: Props): Props {
  return {
    name: i.name,
    description: i.description,
    level: i.level,
    duration: i.durationDays,
    disable: false,
    permissions: i.permissions,
  };
}

/** Harbor names robots `robot$<name>` or `robot$<project>+<name>` (the prefix is configurable). */
function robotSuffix(i: Props): string {
  return i.level === "project" ? `$${i.project as string}+${i.name as string}` : `$${i.name as string}`;
}

const robot: Handler = {
  // `renewal` (a scheduled renewal's period) creates the robot again: a secret refresh keeps the
  // old expiry, and a new duration counts from the creation time (Harbor 2.15.2 robot.go).
  replaces: ["name", "level", "project", "renewal"],
  async create(c, inputs) {
    const res = await c.request<{ id: number; name: string; secret: string; expires_at?: number }>(
      "POST",
      "/robots",
      {
        body: robotBody(inputs),
        accept: [409],
        dedup: true,
      },
    );
    if (res.status !== 409 && res.body) {
      return {
        id: String(res.body.id),
        outs: {
          robotId: res.body.id,
          fullName: res.body.name,
          secret: res.body.secret,
          expiresAt: res.body.expires_at ?? 0,
        },
      };
    }
    // Already there (a retried POST or a race): adopt it. Its secret cannot be read back, so
    // adoption refreshes it; the declared permissions are written over the existing ones.
    const list = (await c.get<RobotView[]>("/robots", { q: `name=~${inputs.name as string}` })).body ?? [];
    const existing = list.find((r) => r.name.endsWith(robotSuffix(inputs)));
    if (!existing)
      throw new HarborApiError(
        "POST",
        "/robots",
        409,
        `robot ${inputs.name as string} conflicts but was not found`,
        res.requestId,
      );
    await c.request("PUT", `/robots/${existing.id}`, {
      body: { ...robotBody(inputs), id: existing.id, name: existing.name },
    });
    const sec = await c.request<{ secret: string }>("PATCH", `/robots/${existing.id}`, { body: {} });
    return {
      id: String(existing.id),
      outs: {
        robotId: existing.id,
        fullName: existing.name,
        secret: sec.body?.secret,
        expiresAt: existing.expires_at ?? 0,
      },
    };
  },
  async read(c, id, props) {
    const r = (await orGone(c.get<RobotView>(`/robots/${id}`)))?.body;
    if (!r) return undefined;
    return {
      ...props,
      level: r.level,
      description: r.description ?? "",
      durationDays: r.duration,
      permissions: (r.permissions ?? []).map((p) => ({
        kind: p.kind,
        namespace: p.namespace,
        access: p.access.map((a) => ({ resource: a.resource, action: a.action })),
      })),
      fullName: r.name,
      expiresAt: r.expires_at ?? 0,
    };
  },
  async update(c, id, olds, news, changed) {
    const outs: Props = {
      robotId: olds.robotId,
      fullName: olds.fullName,
      secret: olds.secret,
      expiresAt: olds.expiresAt,
    };
    if (["description", "durationDays", "permissions"].some((k) => changed.has(k))) {
      await c.request("PUT", `/robots/${id}`, {
        body: { ...robotBody(news), id: Number(id), name: olds.fullName },
      });
    }
    // Harbor recomputes the expiry from the creation time; the answer to PUT does not carry it.
    if (changed.has("durationDays")) {
      const r = (await c.get<RobotView>(`/robots/${id}`)).body;
      outs.expiresAt = r?.expires_at ?? 0;
    }
    if (changed.has("rotation")) {
      const sec = await c.request<{ secret: string }>("PATCH", `/robots/${id}`, { body: {} });
      outs.secret = sec.body?.secret;
    }
    return outs;
  },
  async delete(c, id) {
    await orGone(c.request("DELETE", `/robots/${id}`));
  },
};

// ---- retention and immutable rules -------------------------------------------------------------

interface Selector {
  kind?: string;
  decoration?: string;
  pattern?: string;
  extras?: string;
}
interface RetentionRuleView {
  template?: string;
  params?: Record<string, unknown>;
  tag_selectors?: Selector[];
  scope_selectors?: Record<string, Selector[]>;
}

function retentionBody(i: Props): Props {
  const rules = i.rules as {
    template: string;
    count: number;
    repositories: string;
    tags: string;
    untagged: boolean;
  }[];
  return {
    algorithm: "or",
    rules: rules.map((r, n) => ({
      priority: n + 1,
      disabled: false,
      action: "retain",
      template: r.template,
      params: r.template === "always" ? {} : { [r.template]: r.count },
      tag_selectors: [
        {
          kind: "doublestar",
          decoration: "matches",
          pattern: r.tags,
          extras: JSON.stringify({ untagged: r.untagged }),
        },
      ],
      scope_selectors: {
        repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: r.repositories }],
      },
    })),
    trigger: { kind: "Schedule", settings: { cron: i.cron }, references: {} },
    scope: { level: "project", ref: i.projectId },
  };
}

const retention: Handler = {
  replaces: ["projectId"],
  async create(c, inputs) {
    // A proxy-cache project already has Harbor's automatic policy: adopt it, never add a second.
    const p = (await c.get<ProjectView>(`/projects/${inputs.projectId as number}`)).body;
    const existing = Number(p?.metadata?.retention_id ?? 0);
    if (existing > 0) {
      await c.request("PUT", `/retentions/${existing}`, { body: retentionBody(inputs) });
      return { id: String(existing), outs: { retentionId: existing, adopted: true } };
    }
    const id = await c.create("/retentions", retentionBody(inputs));
    return { id: String(id), outs: { retentionId: id, adopted: false } };
  },
  async read(c, id, props) {
    const r = (
      await orGone(
        c.get<{
          rules?: RetentionRuleView[];
          trigger?: { settings?: { cron?: string } };
          scope?: { ref?: number };
        }>(`/retentions/${id}`),
      )
    )?.body;
    if (!r) return undefined;
    return {
      ...props,
      projectId: r.scope?.ref,
      cron: r.trigger?.settings?.cron,
      rules: (r.rules ?? []).map((rule) => {
        const extras = rule.tag_selectors?.[0]?.extras;
        return {
          template: rule.template,
          count: rule.template === "always" ? 0 : Number(rule.params?.[rule.template ?? ""] ?? 0),
          repositories: rule.scope_selectors?.repository?.[0]?.pattern ?? "**",
          tags: rule.tag_selectors?.[0]?.pattern ?? "**",
          untagged: extras ? (JSON.parse(extras) as { untagged?: boolean }).untagged === true : false,
        };
      }),
    };
  },
  async update(c, id, olds, news) {
    await c.request("PUT", `/retentions/${id}`, { body: retentionBody(news) });
    return { retentionId: olds.retentionId, adopted: olds.adopted };
  },
  async delete(c, id, props) {
    // An adopted policy is the one Harbor made for a proxy-cache project: leave it to Harbor
    // (its rules stay as last managed) rather than leave the project with no retention.
    if (props.adopted === true) return;
    await orGone(c.request("DELETE", `/retentions/${id}`));
  },
};

function immutableBody(i: Props): Props {
  return {
    disabled: false,
    action: "immutable",
    template: "immutable_template",
    priority: 0,
    tag_selectors: [{ kind: "doublestar", decoration: "matches", pattern: i.tags }],
    scope_selectors: {
      repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: i.repositories }],
    },
  };
}

const immutableRule: Handler = {
  replaces: ["projectId"],
  async create(c, inputs) {
    const id = await c.create(
      `/projects/${inputs.projectId as number}/immutabletagrules`,
      immutableBody(inputs),
    );
    return { id: String(id), outs: { ruleId: id } };
  },
  async read(c, id, props) {
    // Harbor has no GET for one rule: the project's list is the one read.
    const list = (
      await orGone(
        c.get<(RetentionRuleView & { id: number })[]>(
          `/projects/${props.projectId as number}/immutabletagrules`,
        ),
      )
    )?.body;
    const r = list?.find((x) => x.id === Number(id));
    if (!r) return undefined;
    return {
      ...props,
      repositories: r.scope_selectors?.repository?.[0]?.pattern,
      tags: r.tag_selectors?.[0]?.pattern,
    };
  },
  async update(c, id, olds, news) {
    await c.request("PUT", `/projects/${news.projectId as number}/immutabletagrules/${id}`, {
      body: { ...immutableBody(news), id: Number(id) },
    });
    return { ruleId: olds.ruleId };
  },
  async delete(c, id, props) {
    await orGone(c.request("DELETE", `/projects/${props.projectId as number}/immutabletagrules/${id}`));
  },
};

// ---- replication -------------------------------------------------------------------------------

interface ReplicationView {
  id: number;
  name: string;
  dest_registry?: { id?: number };
  dest_namespace?: string;
  trigger?: { type?: string; trigger_settings?: { cron?: string } };
  filters?: { type?: string; value?: unknown }[];
  replicate_deletion?: boolean;
  override?: boolean;
  enabled?: boolean;
}

function replicationBody(i: Props): Props {
  return {
    name: i.name,
    dest_registry: { id: i.registryId },
    dest_namespace: i.destNamespace,
    trigger: { type: i.trigger, trigger_settings: { cron: i.cron } },
    filters: [
      { type: "name", value: `${i.sourceProject as string}/**` },
      { type: "tag", value: i.tags, decoration: "matches" },
    ],
    replicate_deletion: i.deletion,
    override: i.override,
    enabled: i.enabled,
  };
}

const replication: Handler = {
  replaces: [],
  async create(c, inputs) {
    let adopted = false;
    const id = await c.create("/replication/policies", replicationBody(inputs), () => {
      adopted = true;
      return findByName<ReplicationView>(c, "/replication/policies", inputs.name as string);
    });
    if (adopted) await c.request("PUT", `/replication/policies/${id}`, { body: replicationBody(inputs) });
    return { id: String(id), outs: { policyId: id } };
  },
  async read(c, id, props) {
    const r = (await orGone(c.get<ReplicationView>(`/replication/policies/${id}`)))?.body;
    if (!r) return undefined;
    const filter = (t: string) => r.filters?.find((f) => f.type === t)?.value;
    return {
      ...props,
      name: r.name,
      registryId: r.dest_registry?.id,
      destNamespace: r.dest_namespace ?? "",
      trigger: r.trigger?.type,
      cron: r.trigger?.trigger_settings?.cron ?? "",
      sourceProject: String(filter("name") ?? "").replace(/\/\*\*$/, ""),
      tags: filter("tag") ?? "**",
      deletion: r.replicate_deletion ?? false,
      override: r.override ?? false,
      enabled: r.enabled ?? false,
    };
  },
  async update(c, id, olds, news) {
    await c.request("PUT", `/replication/policies/${id}`, { body: replicationBody(news) });
    return { policyId: olds.policyId };
  },
  async delete(c, id) {
    await orGone(c.request("DELETE", `/replication/policies/${id}`));
  },
};

const HANDLERS: Record<Kind, Handler> = {
  settings,
  gc: scheduleHandler(
    "/system/gc/schedule",
    (i) => ({ delete_untagged: i.deleteUntagged, workers: i.workers, dry_run: false }),
    (p) => ({ deleteUntagged: p.delete_untagged === true, workers: Number(p.workers) }),
  ),
  auditLogPurge: scheduleHandler(
    "/system/purgeaudit/schedule",
    (i) => ({
      audit_retention_hour: i.retentionHours,
      include_event_types: (i.eventTypes as string[]).join(","),
      dry_run: false,
    }),
    (p) => ({
      retentionHours: Number(p.audit_retention_hour),
      eventTypes: String(p.include_event_types ?? "")
        .split(",")
        .filter((e) => e !== ""),
    }),
  ),
  scanAll: scheduleHandler(
    "/system/scanAll/schedule",
    () => undefined,
    () => ({}),
  ),
  registry,
  project,
  robot,
  retention,
  immutableRule,
  replication,
};

/** Every kind the provider manages. */
export const KINDS = Object.keys(HANDLERS) as Kind[];

export { KIND_INPUT, PROVIDER_INPUT };

/**
 * One provider for every kind: the host loads it once per distinct `__provider` text, and every
 * Harbor resource carries the same text. Tests may pin a kind; resources name theirs in the
 * `harborKind` input.
 */
export class HarborProvider implements pulumi.dynamic.ResourceProvider {
  constructor(readonly kind?: Kind) {}

  private handler(props: Inputs): Handler {
    const kind = (this.kind ?? props[KIND_INPUT]) as Kind;
    const h = HANDLERS[kind];
    if (!h) throw new Error(`harbor provider: unknown kind ${JSON.stringify(kind)}`);
    return h;
  }

  private client(props: Inputs): HarborClient {
    return new HarborClient(props.connection, clientSettings.retry);
  }

  async create(inputs: Inputs): Promise<pulumi.dynamic.CreateResult> {
    const r = await this.handler(inputs).create(this.client(inputs), inputs);
    return { id: r.id, outs: { ...inputs, ...r.outs } };
  }

  async read(id: string, props: Inputs): Promise<pulumi.dynamic.ReadResult> {
    const live = await this.handler(props).read(this.client(props), id, props);
    // No id tells Pulumi the object is gone (deleted behind its back).
    if (!live) return {};
    return {
      id,
      props: props[KIND_INPUT] === undefined ? live : { ...live, [KIND_INPUT]: props[KIND_INPUT] },
    };
  }

  async diff(_id: string, olds: Inputs, news: Inputs): Promise<pulumi.dynamic.DiffResult> {
    const changed = changedKeys(olds, news);
    const conn = canonical(olds.connection) !== canonical(news.connection);
    // State written with another `__provider` (the whole provider text, ~38 KB, before the
    // loader) is brought to the current one by an update that calls no Harbor API.
    const code = olds[PROVIDER_INPUT] !== undefined && olds[PROVIDER_INPUT] !== news[PROVIDER_INPUT];
    const replaces = this.handler(news).replaces.filter((k) => changed.has(k));
    return {
      changes: changed.size > 0 || conn || code,
      replaces,
      deleteBeforeReplace: replaces.length > 0,
    };
  }

  async update(id: string, olds: Inputs, news: Inputs): Promise<pulumi.dynamic.UpdateResult> {
    const changed = changedKeys(olds, news);
    const outs =
      changed.size === 0 ? {} : await this.handler(news).update(this.client(news), id, olds, news, changed);
    return { outs: { ...olds, ...news, ...outs } };
  }

  async delete(id: string, props: Inputs): Promise<void> {
    await this.handler(props).delete(this.client(props), id, props);
  }
}
