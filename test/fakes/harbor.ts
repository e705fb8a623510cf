// A stateful fake Harbor 2.15.2 for tests. Every request (path, query, headers, body) and every
// response it gives is checked against the pinned OpenAPI spec; a mismatch is recorded in
// `violations` and answered 400/500 so the test fails loudly. It reproduces Harbor's traps:
// Location on 201, 409 duplicates, string metadata, sid cookie + CSRF, 401, an empty 200 for an
// unset GC schedule, automatic retention on proxy-cache projects, robot secrets only on
// create/refresh, storage_limit ignored by PUT /projects.
import * as http from "http";
import * as https from "https";
import type { AddressInfo, Socket } from "net";
import { readFileSync } from "fs";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { harborAllowsRobotPermission } from "./harbor-permissions";
import { upstreamFile } from "../upstream";

const BASE = "/api/v2.0";

type Json = Record<string, unknown>;
type Schema = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
  format?: string;
  schema?: Schema;
}
interface Operation {
  parameters?: (Param | { $ref: string })[];
  responses: Record<string, { $ref?: string; schema?: Schema }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  parameters: Record<string, Param>;
  responses: Record<string, { schema?: Schema }>;
  definitions: Record<string, Schema>;
}

/** Swagger 2.0 schema -> JSON schema as go-swagger reads it. Unknown properties are refused (strict). */
function translate(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(translate);
  if (typeof node !== "object" || node === null) return node;
  const s = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "example" || k === "description" || k.startsWith("x-") || k === "readOnly") continue;
    out[k] = k === "properties" || k === "definitions" ? mapValues(v as Schema, translate) : translate(v);
  }
  // A bare `type: object` is interface{} for go-swagger (GC parameters hold booleans and numbers).
  if (out.type === "object" && !out.properties && out.additionalProperties === undefined && !out.$ref) {
    delete out.type;
  }
  if (typeof out.$ref === "string" && Object.keys(out).length > 1) {
    // Swagger ignores siblings of $ref.
    for (const k of Object.keys(out)) if (k !== "$ref") delete out[k];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (s["x-nullable"] === true || s["x-isnullable"] === true) return { anyOf: [out, { type: "null" }] };
  return out;
}

function mapValues(o: Schema, f: (v: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  op: Operation;
}

class SpecChecker {
  readonly routes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly spec: Spec;

  constructor() {
    this.spec = parse(readFileSync(upstreamFile("harbor-api", "swagger-v2.15.2.yaml"), "utf8")) as Spec;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const isInt = (bits: number) => (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1);
    for (const [f, bits] of [
      ["int8", 8],
      ["int32", 32],
      ["int64", 64],
      ["int", 64],
      ["uint64", 64],
    ] as const) {
      this.ajv.addFormat(f, { type: "number", validate: isInt(bits) });
    }
    for (const f of ["float", "float64"]) this.ajv.addFormat(f, { type: "number", validate: () => true });
    this.ajv.addSchema({ $id: "swagger", definitions: translate(this.spec.definitions) as Schema });
    for (const [template, ops] of Object.entries(this.spec.paths)) {
      const names: string[] = [];
      const regex = new RegExp(
        "^" + template.replace(/\{([^}]+)\}/g, (_m, n: string) => (names.push(n), "([^/]+)")) + "$",
      );
      for (const [method, op] of Object.entries(ops)) {
        if (method !== "parameters")
          this.routes.push({ method: method.toUpperCase(), template, regex, names, op });
      }
    }
  }

  private sorted = false;

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    if (!this.sorted) {
      // Literal segments win over parameters, as in go-swagger's router (/system/gc/schedule vs /system/gc/{gc_id}).
      this.routes.sort((a, b) => a.names.length - b.names.length);
      this.sorted = true;
    }
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (m)
        return {
          route,
          params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])),
        };
    }
    return undefined;
  }

  private validator(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.cache.get(key);
    if (!v) {
      const t = JSON.parse(
        JSON.stringify(translate(schema)).replace(/"#\/definitions\//g, '"swagger#/definitions/'),
      ) as Schema;
      v = this.ajv.compile(t);
      this.cache.set(key, v);
    }
    return v;
  }

  private check(schema: Schema, value: unknown, what: string): string[] {
    const v = this.validator(schema);
    return v(value) ? [] : [`${what}: ${this.ajv.errorsText(v.errors)}`];
  }

  private param(p: Param | { $ref: string }): Param {
    return "$ref" in p ? this.spec.parameters[p.$ref.split("/").pop() as string] : p;
  }

  checkRequest(
    route: Route,
    params: Record<string, string>,
    query: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: unknown,
  ): string[] {
    const errs: string[] = [];
    const declared = (route.op.parameters ?? []).map((p) => this.param(p));
    for (const p of declared) {
      const raw =
        p.in === "path"
          ? params[p.name]
          : p.in === "query"
            ? query.get(p.name)
            : p.in === "header"
              ? (headers[p.name.toLowerCase()] as string | undefined)
              : undefined;
      if (p.in === "body") {
        if (body === undefined && p.required) errs.push(`body ${p.name} is required`);
        else if (body !== undefined) errs.push(...this.check(p.schema ?? {}, body, `body ${p.name}`));
        continue;
      }
      if (raw === undefined || raw === null) {
        if (p.required) errs.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      if (p.type === "integer" && !/^-?\d+$/.test(raw))
        errs.push(`${p.in} parameter ${p.name}=${raw} is not an integer`);
      if (p.type === "boolean" && raw !== "true" && raw !== "false")
        errs.push(`${p.in} parameter ${p.name}=${raw} is not a boolean`);
    }
    for (const q of query.keys()) {
      if (!declared.some((p) => p.in === "query" && p.name === q)) errs.push(`unknown query parameter ${q}`);
    }
    if (body !== undefined && !declared.some((p) => p.in === "body"))
      errs.push("a body where the spec takes none");
    return errs;
  }

  checkResponse(route: Route, status: number, body: unknown, headers: Record<string, string>): string[] {
    const r = route.op.responses[String(status)];
    // Harbor's SendError can answer any route with an error status the spec does not list.
    if (!r && status < 400)
      return [`status ${status} is not a documented response of ${route.method} ${route.template}`];
    const resolved = !r
      ? { schema: { $ref: "#/definitions/Errors" } }
      : r.$ref
        ? this.spec.responses[r.$ref.split("/").pop() as string]
        : r;
    const errs: string[] = [];
    if (status === 201 && !headers.Location) errs.push("201 without a Location header");
    if (resolved.schema && body !== undefined)
      errs.push(...this.check(resolved.schema, body, `response ${status}`));
    return errs;
  }
}

let checker: SpecChecker | undefined;

export type FaultKind = "500" | "503" | "429" | "412" | "hang" | "reset" | "resetAfter" | "race";
interface Fault {
  method: string;
  template: string;
  kind: FaultKind;
  left: number;
  retryAfter?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body?: unknown;
  location?: string;
}

interface ScheduleState {
  type: string;
  cron: string;
  parameters: Json;
}

const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * Registry types a proxy-cache project may use. The API spec leaves both open (swagger-v2.15.2
 * Registry.type, ProjectReq.registry_id); goharbor/harbor v2.15.2 src/server/v2.0/handler/project.go
 * validateProjectReq refuses any other with "unsupported registry type", reading
 * PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE, which goharbor/harbor-helm 1.19.2
 * templates/core/core-cm.yaml (line 56) sets to this list (`quay` left it in harbor-helm #2223).
 */
export const PROXY_CACHE_REGISTRY_TYPES = [
  "docker-hub",
  "harbor",
  "azure-acr",
  "ali-acr",
  "aws-ecr",
  "google-gcr",
  "docker-registry",
  "github-ghcr",
  "jfrog-artifactory",
] as const;
const now = () => new Date(Date.UTC(2026, 0, 1)).toISOString();

/** The state a real Harbor keeps, reduced to what the configuration resources touch. */
export interface FakeState {
  configurations: Json;
  schedules: Record<"gc" | "purgeaudit" | "scanAll", ScheduleState | undefined>;
  projects: Map<number, Json & { name: string; metadata: Record<string, string> }>;
  quotas: Map<number, { id: number; projectId: number; storage: number }>;
  robots: Map<number, Json & { name: string; secret: string }>;
  registries: Map<number, Json & { name: string }>;
  retentions: Map<number, Json>;
  immutable: Map<number, Json & { projectId: number }>;
  replications: Map<number, Json & { name: string }>;
}

export class FakeHarbor {
  readonly username = "admin";
  readonly password = "Harbor12345";
  url = "";
  readonly violations: string[] = [];
  readonly calls: { method: string; path: string; cookie: boolean }[] = [];
  /**
   * Harbor's clock for robots (Unix seconds): a new robot's creation time, from which its
   * `expires_at` counts (src/controller/robot/controller.go Create, handler/robot.go update).
   */
  robotClock = Date.UTC(2026, 0, 1) / 1000;
  readonly state: FakeState = {
    configurations: {
      storage_per_project: -1,
      project_creation_restriction: "everyone",
      robot_token_duration: 30,
      auth_mode: "db_auth",
      audit_log_forward_endpoint: "",
    },
    schedules: { gc: undefined, purgeaudit: undefined, scanAll: undefined },
    projects: new Map(),
    quotas: new Map(),
    robots: new Map(),
    registries: new Map(),
    retentions: new Map(),
    immutable: new Map(),
    replications: new Map(),
  };
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private nextId = 1;
  private server?: http.Server | https.Server;
  private readonly spec: SpecChecker;

  constructor() {
    checker ??= new SpecChecker();
    this.spec = checker;
  }

  /** Listens on 127.0.0.1; with `tls` (PEM key and certificate chain) it serves https. */
  async start(tls?: { key: string; cert: string }): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `${tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get connection() {
    return { url: this.url, username: this.username, password: this.password, caCert: "" };
  }

  /** The next `count` calls of `method` on the spec path `template` answer with a fault. */
  inject(method: string, template: string, kind: FaultKind, count = 1, retryAfter?: number): void {
    this.faults.push({ method, template, kind, left: count, retryAfter });
  }

  /** Calls that change state, counted from `since` (an index into `calls`). */
  mutations(since = 0): string[] {
    return this.calls
      .slice(since)
      .filter((c) => c.method !== "GET" && c.method !== "HEAD")
      .map((c) => `${c.method} ${c.path}`);
  }

  countBy(method: string, since = 0): number {
    return this.calls.slice(since).filter((c) => c.method === method).length;
  }

  private id(): number {
    return this.nextId++;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
    const cookie = /(^|;\s*)sid=/.test(req.headers.cookie ?? "");
    this.calls.push({ method, path: url.pathname.slice(BASE.length) + url.search, cookie });
    const requestId = (req.headers["x-request-id"] as string | undefined) ?? `fake-${this.calls.length}`;
    const send = (status: number, body?: unknown, location?: string) => {
      const headers: Record<string, string> = {
        "X-Request-Id": requestId,
        "Set-Cookie": `sid=fake${this.calls.length}; Path=/; HttpOnly`,
      };
      if (location) headers.Location = location;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      res.writeHead(status, headers);
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const error = (status: number, message: string) =>
      send(status, { errors: [{ code: codeOf(status), message }] });

    const matched = this.spec.match(method, path);
    if (!url.pathname.startsWith(BASE) || !matched) {
      this.violations.push(`unknown route ${method} ${url.pathname}`);
      return error(404, `no such route ${method} ${url.pathname}`);
    }
    const { route, params } = matched;
    const auth = req.headers.authorization ?? "";
    if (auth !== `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`) {
      return error(401, "UnAuthorized");
    }
    // Harbor: a client that returns the session cookie is a browser session and needs a CSRF token.
    if (cookie && method !== "GET" && !req.headers["x-harbor-csrf-token"]) {
      return error(403, "CSRF token invalid");
    }
    const fault = this.faults.find((f) => f.left > 0 && f.method === method && f.template === route.template);
    if (fault) fault.left--;
    if (fault?.kind === "hang") return; // never answers; the client's timeout must fire
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "500" || fault?.kind === "503") return error(Number(fault.kind), "injected failure");
    // What Harbor answers when a project still holds repositories.
    if (fault?.kind === "412") return error(412, "the project contains repositories, can not be deleted");
    if (fault?.kind === "429") {
      res.setHeader("Retry-After", String(fault.retryAfter ?? 1));
      return error(429, "too many requests");
    }

    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        this.violations.push(`${method} ${route.template}: body is not JSON`);
        return error(400, "invalid JSON");
      }
    }
    const reqErrs = this.spec.checkRequest(route, params, url.searchParams, req.headers, body);
    if (reqErrs.length > 0) {
      this.violations.push(...reqErrs.map((e) => `${method} ${route.template}: ${e}`));
      return error(400, reqErrs.join("; "));
    }
    let reply: Reply;
    try {
      // A race: another client creates the same object just before this request.
      if (fault?.kind === "race")
        this.dispatch(method, route.template, params, url.searchParams, req.headers, body);
      reply = this.dispatch(method, route.template, params, url.searchParams, req.headers, body);
    } catch (e) {
      reply =
        e instanceof HttpError
          ? { status: e.status, body: { errors: [{ code: codeOf(e.status), message: e.message }] } }
          : { status: 500, body: { errors: [{ code: "UNKNOWN", message: String(e) }] } };
    }
    if (fault?.kind === "resetAfter") return void req.socket.destroy();
    const location = reply.location ? `${BASE}${reply.location}` : undefined;
    const resErrs = this.spec.checkResponse(
      route,
      reply.status,
      reply.body,
      location ? { Location: location } : {},
    );
    if (resErrs.length > 0)
      this.violations.push(...resErrs.map((e) => `fake's own ${method} ${route.template}: ${e}`));
    send(reply.status, reply.body, location);
  }

  private project(
    ref: string,
    headers: http.IncomingHttpHeaders,
  ): Json & { name: string; metadata: Record<string, string> } {
    const byName = headers["x-is-resource-name"] === "true" || !/^\d+$/.test(ref);
    for (const p of this.state.projects.values())
      if (byName ? p.name === ref : p.project_id === Number(ref)) return p;
    throw new HttpError(404, `project ${ref} not found`);
  }

  private scheduleView(kind: "gc" | "purgeaudit" | "scanAll"): unknown {
    const s = this.state.schedules[kind];
    if (!s) return kind === "scanAll" ? {} : undefined;
    const schedule = { type: s.type, cron: s.cron };
    if (kind === "scanAll") return { id: 1, schedule, creation_time: now(), update_time: now() };
    const params =
      kind === "gc"
        ? { ...s.parameters, redis_url_reg: "redis://redis:6379/1", time_window: 2 }
        : s.parameters;
    return {
      id: 1,
      job_name: kind === "gc" ? "GARBAGE_COLLECTION" : "PURGE_AUDIT_LOG",
      job_kind: "SCHEDULE",
      job_parameters: JSON.stringify(params),
      schedule,
      job_status: "",
      deleted: false,
      creation_time: now(),
      update_time: now(),
    };
  }

  private setSchedule(kind: "gc" | "purgeaudit" | "scanAll", body: Json, create: boolean): Reply {
    if (create && this.state.schedules[kind] && kind !== "purgeaudit")
      throw new HttpError(409, `${kind} schedule already exists`);
    const sched = (body.schedule ?? {}) as { type?: string; cron?: string };
    if (sched.type === "None") {
      this.state.schedules[kind] = undefined;
      return { status: 200 };
    }
    const cron = sched.cron ?? "";
    const fields = cron.split(" ");
    if (fields.length !== 6 || fields[0] !== "0")
      throw new HttpError(400, `invalid cron string for scheduled ${kind}: ${cron}`);
    const parameters = (body.parameters ?? {}) as Json;
    if (
      kind === "gc" &&
      (typeof parameters.workers !== "number" || parameters.workers < 1 || parameters.workers > 10)
    ) {
      throw new HttpError(400, "Workers must be greater than 0 and less than or equal to 10.");
    }
    if (
      kind === "purgeaudit" &&
      (parameters.audit_retention_hour === undefined || parameters.include_event_types === undefined)
    ) {
      throw new HttpError(400, "audit_retention_hour and include_event_types should provide");
    }
    this.state.schedules[kind] = { type: sched.type ?? "Custom", cron, parameters };
    return create ? { status: 201, location: `/system/${kind}/1` } : { status: 200 };
  }

  private quotaOf(projectId: number) {
    for (const q of this.state.quotas.values()) if (q.projectId === projectId) return q;
    throw new HttpError(404, `no quota for project ${projectId}`);
  }

  private dispatch(
    method: string,
    template: string,
    params: Record<string, string>,
    query: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    raw: unknown,
  ): Reply {
    const body = (raw ?? {}) as Json;
    const s = this.state;
    const key = `${method} ${template}`;
    switch (key) {
      case "GET /configurations": {
        const out: Json = {};
        for (const [k, v] of Object.entries(s.configurations)) {
          if (k === "oidc_client_secret" || k === "ldap_search_password") continue; // write-only
          out[k] = { value: v, editable: true };
        }
        return { status: 200, body: out };
      }
      case "PUT /configurations":
        Object.assign(s.configurations, body);
        return { status: 200 };
      case "GET /system/gc/schedule":
        return { status: 200, body: this.scheduleView("gc") };
      case "GET /system/purgeaudit/schedule":
        return { status: 200, body: this.scheduleView("purgeaudit") };
      case "GET /system/scanAll/schedule":
        return { status: 200, body: this.scheduleView("scanAll") };
      case "POST /system/gc/schedule":
      case "PUT /system/gc/schedule":
        return this.setSchedule("gc", body, method === "POST");
      case "POST /system/purgeaudit/schedule":
      case "PUT /system/purgeaudit/schedule":
        return this.setSchedule("purgeaudit", body, method === "POST");
      case "POST /system/scanAll/schedule":
      case "PUT /system/scanAll/schedule":
        return this.setSchedule("scanAll", body, method === "POST");

      case "GET /projects": {
        const name = query.get("name");
        const list = [...s.projects.values()].filter((p) => name === null || p.name === name);
        return { status: 200, body: list.map((p) => this.projectView(p)) };
      }
      case "POST /projects": {
        const name = body.project_name as string;
        if (typeof name !== "string" || !NAME.test(name))
          throw new HttpError(400, "project name is not in lower case or contains illegal characters");
        if ([...s.projects.values()].some((p) => p.name === name))
          throw new HttpError(409, `The project named ${name} already exists`);
        const metadata = { ...((body.metadata as Record<string, string>) ?? {}) };
        delete metadata.retention_id;
        if (body.public !== undefined && body.public !== null) metadata.public = String(body.public);
        metadata.public ??= "false";
        const id = this.id();
        const registryId = body.registry_id as number | undefined | null;
        if (registryId !== undefined && registryId !== null && !s.registries.has(registryId))
          throw new HttpError(400, `failed to get the registry ${registryId}`);
        const upstreamType = registryId ? String(s.registries.get(registryId)?.type) : undefined;
        if (
          upstreamType !== undefined &&
          !(PROXY_CACHE_REGISTRY_TYPES as readonly string[]).includes(upstreamType)
        )
          throw new HttpError(400, `unsupported registry type ${upstreamType}`);
        const p = {
          project_id: id,
          name,
          owner_id: 1,
          owner_name: "admin",
          registry_id: registryId ?? 0,
          metadata,
          cve_allowlist: this.allowlist(id, body.cve_allowlist),
          creation_time: now(),
          update_time: now(),
        };
        s.projects.set(id, p);
        const limit =
          (body.storage_limit as number | undefined | null) ??
          (s.configurations.storage_per_project as number);
        s.quotas.set(this.id(), { id: this.nextId - 1, projectId: id, storage: limit });
        if (registryId) {
          const rid = this.id();
          s.retentions.set(rid, {
            id: rid,
            algorithm: "or",
            rules: [
              {
                id: 1,
                priority: 1,
                disabled: false,
                action: "retain",
                template: "nDaysSinceLastPull",
                params: { nDaysSinceLastPull: 7 },
                tag_selectors: [{ kind: "doublestar", decoration: "matches", pattern: "**" }],
                scope_selectors: {
                  repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: "**" }],
                },
              },
            ],
            trigger: { kind: "Schedule", settings: { cron: "0 0 0 * * *" }, references: {} },
            scope: { level: "project", ref: id },
          });
          metadata.retention_id = String(rid);
        }
        return { status: 201, location: `/projects/${id}` };
      }
      case "GET /projects/{project_name_or_id}":
        return { status: 200, body: this.projectView(this.project(params.project_name_or_id, headers)) };
      case "PUT /projects/{project_name_or_id}": {
        const p = this.project(params.project_name_or_id, headers);
        const md = (body.metadata ?? {}) as Record<string, string>;
        if (md.retention_id !== undefined && md.retention_id !== p.metadata.retention_id)
          throw new HttpError(
            400,
            "the retention_id in the request's payload when updating a project should be omitted",
          );
        Object.assign(p.metadata, md);
        if (body.public !== undefined && body.public !== null) p.metadata.public = String(body.public);
        if (body.cve_allowlist) p.cve_allowlist = this.allowlist(p.project_id as number, body.cve_allowlist);
        // Harbor ignores storage_limit here: quotas change only through PUT /quotas/{id}.
        return { status: 200 };
      }
      case "DELETE /projects/{project_name_or_id}": {
        const p = this.project(params.project_name_or_id, headers);
        const id = p.project_id as number;
        s.projects.delete(id);
        s.quotas.delete(this.quotaOf(id).id);
        if (p.metadata.retention_id) s.retentions.delete(Number(p.metadata.retention_id));
        for (const [rid, r] of s.immutable) if (r.projectId === id) s.immutable.delete(rid);
        return { status: 200 };
      }
      case "GET /quotas": {
        const ref = query.get("reference_id");
        const list = [...s.quotas.values()].filter((q) => ref === null || String(q.projectId) === ref);
        return { status: 200, body: list.map((q) => this.quotaView(q)) };
      }
      case "GET /quotas/{id}": {
        const q = s.quotas.get(Number(params.id));
        if (!q) throw new HttpError(404, "quota not found");
        return { status: 200, body: this.quotaView(q) };
      }
      case "PUT /quotas/{id}": {
        const q = s.quotas.get(Number(params.id));
        if (!q) throw new HttpError(404, "quota not found");
        const storage = ((body.hard ?? {}) as Json).storage;
        if (typeof storage !== "number" || storage < -1) throw new HttpError(400, "bad storage limit");
        q.storage = storage;
        return { status: 200 };
      }

      case "GET /robots": {
        const q = query.get("q") ?? "";
        const m = /^name=(~?)(.*)$/.exec(q);
        const list = [...s.robots.values()].filter(
          (r) => !m || (m[1] ? r.name.includes(m[2]) : r.name === m[2]),
        );
        return { status: 200, body: list.map((r) => this.robotView(r)) };
      }
      case "POST /robots": {
        const created = this.robotClock;
        const r = this.checkRobot(body, created);
        const ns = (body.permissions as { namespace: string }[])[0].namespace;
        const full =
          body.level === "project" ? `robot$${ns}+${String(body.name)}` : `robot$${String(body.name)}`;
        if ([...s.robots.values()].some((x) => x.name === full))
          throw new HttpError(409, `robot account ${full} already exists`);
        const id = this.id();
        const secret = `Secret${id}x${Math.random().toString(36).slice(2, 10)}`;
        s.robots.set(id, {
          ...r,
          id,
          name: full,
          secret,
          editable: true,
          creation_time: new Date(created * 1000).toISOString(),
          update_time: now(),
        });
        return {
          status: 201,
          location: `/robots/${id}`,
          body: {
            id,
            name: full,
            secret,
            creation_time: new Date(created * 1000).toISOString(),
            expires_at: r.expires_at,
          },
        };
      }
      case "GET /robots/{robot_id}":
        return { status: 200, body: this.robotView(this.robot(params.robot_id)) };
      case "PUT /robots/{robot_id}": {
        const cur = this.robot(params.robot_id);
        if (body.name !== cur.name || body.level !== cur.level)
          throw new HttpError(400, "cannot update the level or name of robot");
        const r = this.checkRobot({ ...body, name: "x" }, Date.parse(String(cur.creation_time)) / 1000);
        Object.assign(cur, { ...r, name: cur.name, update_time: now() });
        return { status: 200 };
      }
      case "PATCH /robots/{robot_id}": {
        const cur = this.robot(params.robot_id);
        cur.secret =
          typeof body.secret === "string" && body.secret !== ""
            ? body.secret
            : `Rotated${Math.random().toString(36).slice(2, 12)}`;
        return { status: 200, body: { secret: cur.secret } };
      }
      case "DELETE /robots/{robot_id}":
        s.robots.delete(this.robot(params.robot_id).id as number);
        return { status: 200 };

      case "GET /registries": {
        const name = query.get("name");
        return {
          status: 200,
          body: [...s.registries.values()]
            .filter((r) => name === null || r.name === name)
            .map((r) => this.registryView(r)),
        };
      }
      case "POST /registries": {
        if ([...s.registries.values()].some((r) => r.name === body.name))
          throw new HttpError(409, `registry ${String(body.name)} already exists`);
        const id = this.id();
        s.registries.set(id, {
          ...(body as Json & { name: string }),
          id,
          status: "healthy",
          creation_time: now(),
          update_time: now(),
        });
        return { status: 201, location: `/registries/${id}` };
      }
      case "GET /registries/{id}":
        return { status: 200, body: this.registryView(this.registry(params.id)) };
      case "PUT /registries/{id}": {
        const r = this.registry(params.id);
        const cred = { ...((r.credential as Json) ?? {}) };
        for (const [k, v] of Object.entries(body)) {
          if (v === null) continue;
          if (k === "access_key" || k === "access_secret" || k === "credential_type")
            cred[k === "credential_type" ? "type" : k] = v;
          else r[k] = v;
        }
        r.credential = cred;
        return { status: 200 };
      }
      case "DELETE /registries/{id}":
        s.registries.delete(this.registry(params.id).id as number);
        return { status: 200 };

      case "POST /retentions": {
        const scope = body.scope as { ref: number };
        const p = this.project(String(scope.ref), {});
        if (p.metadata.retention_id)
          throw new HttpError(
            400,
            `project ${p.name} already has retention policy ${p.metadata.retention_id}`,
          );
        const id = this.id();
        s.retentions.set(id, { ...body, id });
        p.metadata.retention_id = String(id);
        return { status: 201, location: `/retentions/${id}` };
      }
      case "GET /retentions/{id}":
        return { status: 200, body: this.retention(params.id) };
      case "PUT /retentions/{id}":
        this.retention(params.id);
        s.retentions.set(Number(params.id), { ...body, id: Number(params.id) });
        return { status: 200 };
      case "DELETE /retentions/{id}": {
        const r = this.retention(params.id) as { scope: { ref: number } };
        s.retentions.delete(Number(params.id));
        const p = s.projects.get(r.scope.ref);
        if (p) delete p.metadata.retention_id;
        return { status: 200 };
      }

      case "GET /projects/{project_name_or_id}/immutabletagrules": {
        const p = this.project(params.project_name_or_id, headers);
        const list = [...s.immutable.values()]
          .filter((r) => r.projectId === p.project_id)
          .map((r) => {
            const view: Json = { ...r };
            delete view.projectId;
            return view;
          });
        return { status: 200, body: list };
      }
      case "POST /projects/{project_name_or_id}/immutabletagrules": {
        const p = this.project(params.project_name_or_id, headers);
        const id = this.id();
        s.immutable.set(id, { ...body, id, projectId: p.project_id as number });
        return { status: 201, location: `/projects/${p.project_id}/immutabletagrules/${id}` };
      }
      case "PUT /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}":
      case "DELETE /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}": {
        const p = this.project(params.project_name_or_id, headers);
        const r = s.immutable.get(Number(params.immutable_rule_id));
        if (!r || r.projectId !== p.project_id) throw new HttpError(400, "immutable rule not found");
        if (method === "DELETE") s.immutable.delete(r.id as number);
        else s.immutable.set(r.id as number, { ...body, id: r.id, projectId: r.projectId });
        return { status: 200 };
      }

      case "GET /replication/policies": {
        const name = query.get("name");
        return {
          status: 200,
          body: [...s.replications.values()].filter((r) => name === null || r.name === name),
        };
      }
      case "POST /replication/policies": {
        if ([...s.replications.values()].some((r) => r.name === body.name))
          throw new HttpError(409, `policy ${String(body.name)} already exists`);
        const dest = body.dest_registry as { id?: number } | undefined;
        if (!dest?.id || !s.registries.has(dest.id))
          throw new HttpError(400, "destination registry not found");
        const id = this.id();
        s.replications.set(id, {
          ...(body as Json & { name: string }),
          id,
          creation_time: now(),
          update_time: now(),
        });
        return { status: 201, location: `/replication/policies/${id}` };
      }
      case "GET /replication/policies/{id}":
        return { status: 200, body: this.replication(params.id) };
      case "PUT /replication/policies/{id}": {
        const cur = this.replication(params.id);
        s.replications.set(cur.id as number, {
          ...(body as Json & { name: string }),
          id: cur.id,
          creation_time: cur.creation_time,
          update_time: now(),
        });
        return { status: 200 };
      }
      case "DELETE /replication/policies/{id}":
        s.replications.delete(this.replication(params.id).id as number);
        return { status: 200 };
    }
    this.violations.push(`fake has no handler for ${key}`);
    throw new HttpError(500, `fake has no handler for ${key}`);
  }

  private allowlist(projectId: number, raw: unknown): Json {
    const items = ((raw as Json | undefined)?.items as { cve_id: string }[] | undefined) ?? [];
    return {
      id: projectId,
      project_id: projectId,
      items: items.map((i) => ({ cve_id: i.cve_id })),
      creation_time: now(),
      update_time: now(),
    };
  }

  private projectView(p: Json): Json {
    return { ...p, repo_count: 0, deleted: false, togglable: true };
  }

  private quotaView(q: { id: number; projectId: number; storage: number }): Json {
    const p = this.state.projects.get(q.projectId);
    return {
      id: q.id,
      ref: { id: q.projectId, name: p?.name, owner_name: "admin" },
      hard: { storage: q.storage },
      used: { storage: 0 },
      creation_time: now(),
      update_time: now(),
    };
  }

  private robot(id: string) {
    const r = this.state.robots.get(Number(id));
    if (!r) throw new HttpError(404, `robot ${id} not found`);
    return r;
  }

  private robotView(r: Json): Json {
    const rest = { ...r }; // secrets are never read back
    delete rest.secret;
    return rest;
  }

  /** A robot body as Harbor checks it, with the expiry it computes from `createdAt` (Unix seconds). */
  private checkRobot(body: Json, createdAt: number): Json {
    if (typeof body.name !== "string" || !NAME.test(body.name))
      throw new HttpError(400, "robot name is not in lower case or contains illegal characters");
    const level = body.level as string;
    if (level !== "system" && level !== "project") throw new HttpError(400, `bad request level: ${level}`);
    const duration = body.duration as number;
    if (!(duration === -1 || duration > 0)) throw new HttpError(400, `bad request duration: ${duration}`);
    const perms = (body.permissions ?? []) as {
      kind: string;
      namespace: string;
      access: { resource: string; action: string }[];
    }[];
    if (perms.length === 0) throw new HttpError(400, "bad request empty permission");
    if (level === "project" && perms.length > 1) throw new HttpError(400, "bad request permission");
    for (const p of perms) {
      if (p.kind !== "system" && p.kind !== "project")
        throw new HttpError(400, `bad request permission level: ${p.kind}`);
      if (p.kind === "project" && p.namespace !== "*") this.project(p.namespace, {});
      for (const a of p.access) {
        if (!harborAllowsRobotPermission(p.kind, a.resource, a.action))
          throw new HttpError(400, `bad request permission: ${a.resource}:${a.action}`);
      }
    }
    return {
      level,
      duration,
      description: body.description ?? "",
      disable: body.disable ?? false,
      permissions: perms,
      expires_at: duration === -1 ? -1 : createdAt + duration * 86400,
    };
  }

  private registry(id: string) {
    const r = this.state.registries.get(Number(id));
    if (!r) throw new HttpError(404, `registry ${id} not found`);
    return r;
  }

  private registryView(r: Json): Json {
    const cred = r.credential as Json | undefined;
    return { ...r, credential: cred ? { ...cred, access_secret: "*****" } : undefined };
  }

  private retention(id: string): Json {
    const r = this.state.retentions.get(Number(id));
    if (!r) throw new HttpError(404, `retention policy ${id} not found`);
    return r;
  }

  private replication(id: string) {
    const r = this.state.replications.get(Number(id));
    if (!r) throw new HttpError(404, `replication policy ${id} not found`);
    return r;
  }
}

function codeOf(status: number): string {
  return (
    {
      400: "BAD_REQUEST",
      401: "UNAUTHORIZED",
      403: "FORBIDDEN",
      404: "NOT_FOUND",
      409: "CONFLICT",
      429: "TOO_MANY_REQUESTS",
    }[status] ?? "INTERNAL_SERVER_ERROR"
  );
}
