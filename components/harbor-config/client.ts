// A small Harbor REST API 2.0 client over node's http/https. Self-contained on purpose: the
// dynamic-provider host loads it from source (host.cjs), so it stays light.
//
// Behaviour (see docs/harbor-config.md):
// - Basic auth as the admin; cookies are never stored or sent (a returned `sid` cookie would
//   switch Harbor to CSRF checks on every later call).
// - Every attempt has a timeout; transient failures (5xx, 429, connection reset/refused,
//   timeouts) are retried with exponential backoff and full jitter, bounded in attempts and
//   total time; Retry-After is honoured.
// - 401 is never retried: Harbor locks the user for 1.5 s per failed login, so a retry with the
//   same credentials can only fail again and extend the lock.
// - A POST is retried after a response-less failure only when the caller says a duplicate is
//   detectable (409 on the name) — otherwise only when the request surely never arrived.
import * as http from "http";
import type { IncomingHttpHeaders } from "http";
import * as https from "https";

export interface HarborConnection {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /**
   * PEM of the CA that issued Harbor's certificate, then the only CA trusted (node's `ca` replaces
   * its default roots); "" for node's default trust: its bundled roots plus NODE_EXTRA_CA_CERTS.
   */
  readonly caCert?: string;
}

export interface RetryOptions {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly maxTotalMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  maxTotalMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: () => Math.random(),
};

export class HarborApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    readonly harborMessage: string,
    readonly requestId: string,
    readonly attempts = 1,
  ) {
    super(
      `Harbor ${method} ${path} failed: ${status === 0 ? "no response" : `HTTP ${status}`}: ${harborMessage}` +
        ` (X-Request-Id ${requestId || "none"}${attempts > 1 ? `, after ${attempts} attempts` : ""})`,
    );
    this.name = "HarborApiError";
  }
}

export interface HarborResponse<T> {
  readonly status: number;
  readonly body: T | undefined;
  readonly location?: string;
  readonly requestId: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean>;
  /** Statuses answered without throwing (e.g. 404 on read, 409 on create). */
  readonly accept?: readonly number[];
  /** A repeated POST is safe: a duplicate answers 409 and is adopted by the caller. */
  readonly dedup?: boolean;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

export class HarborClient {
  private readonly retry: RetryOptions;
  private seq = 0;

  constructor(
    private readonly conn: HarborConnection,
    retry: Partial<RetryOptions> = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  get<T>(
    path: string,
    query?: RequestOptions["query"],
    accept?: readonly number[],
  ): Promise<HarborResponse<T>> {
    return this.request<T>("GET", path, { query, accept });
  }

  /**
   * POST a new object. 201 + Location gives the id. On 409 `adopt` looks the existing object
   * up by name; without `adopt` a 409 is an error.
   */
  async create(path: string, body: unknown, adopt?: () => Promise<number | undefined>): Promise<number> {
    const res = await this.request("POST", path, {
      body,
      accept: adopt ? [409] : [],
      dedup: adopt !== undefined,
    });
    if (res.status === 409 && adopt) {
      const id = await adopt();
      if (id === undefined) {
        throw new HarborApiError(
          "POST",
          path,
          409,
          "conflict, but no existing object of that name was found",
          res.requestId,
        );
      }
      return id;
    }
    const id = Number(/\/(\d+)\/?$/.exec(res.location ?? "")?.[1]);
    if (!Number.isInteger(id)) {
      throw new HarborApiError(
        "POST",
        path,
        res.status,
        `no id in Location header ${JSON.stringify(res.location)}`,
        res.requestId,
      );
    }
    return id;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HarborResponse<T>> {
    const { retry } = this;
    const started = retry.now();
    const requestId = `hp-${process.pid}-${Date.now().toString(36)}-${++this.seq}`;
    for (let attempt = 1; ; attempt++) {
      let raw: RawResponse | undefined;
      let netErr: (Error & { code?: string }) | undefined;
      try {
        raw = await this.once(method, path, opts, requestId);
      } catch (e) {
        netErr = e as Error & { code?: string };
      }
      const rid = (raw && headerOf(raw.headers, "x-request-id")) || requestId;
      if (raw && (raw.status < 300 || opts.accept?.includes(raw.status))) {
        return {
          status: raw.status,
          body: parseBody<T>(method, path, raw, rid),
          location: headerOf(raw.headers, "location"),
          requestId: rid,
        };
      }
      const message = raw
        ? harborMessage(raw)
        : `${netErr?.code ?? "error"}: ${netErr?.message ?? "unknown"}`;
      const status = raw?.status ?? 0;
      const retriable = raw
        ? status === 429 || (status >= 500 && (method !== "POST" || opts.dedup || status === 503))
        : NETWORK_CODES.has(netErr?.code ?? "") &&
          (method !== "POST" || opts.dedup || netErr?.code === "ECONNREFUSED");
      let delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)) * retry.random();
      const after = raw ? retryAfterMs(raw.headers, retry.now()) : undefined;
      if (after !== undefined) delay = after;
      const elapsed = retry.now() - started;
      if (!retriable || attempt >= retry.maxAttempts || elapsed + delay > retry.maxTotalMs) {
        throw new HarborApiError(method, path, status, message, rid, attempt);
      }
      await retry.sleep(delay);
    }
  }

  private once(method: string, path: string, opts: RequestOptions, requestId: string): Promise<RawResponse> {
    const base = new URL(this.conn.url);
    const url = new URL(`${base.pathname.replace(/\/$/, "")}/api/v2.0${path}`, base);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = {
      Accept: "application/json",
      Authorization: `Basic ${Buffer.from(`${this.conn.username}:${this.conn.password}`).toString("base64")}`,
      "X-Request-Id": requestId,
    };
    if (payload) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(payload.length);
    }
    const options = {
      method,
      headers,
      // A fresh connection per call: no shared state (and no cookie jar) between calls.
      agent: false as const,
      ...(url.protocol === "https:" && this.conn.caCert ? { ca: this.conn.caCert } : {}),
    };
    const timeoutMs = this.retry.timeoutMs;
    return new Promise<RawResponse>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const req = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
        res.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      timer = setTimeout(() => {
        const e = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" });
        req.destroy(e);
      }, timeoutMs);
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  }
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseBody<T>(method: string, path: string, raw: RawResponse, rid: string): T | undefined {
  // An unset GC schedule is 200 with an empty body: that is "nothing", not an error.
  if (raw.text.trim() === "") return undefined;
  try {
    return JSON.parse(raw.text) as T;
  } catch {
    throw new HarborApiError(method, path, raw.status, `response is not JSON: ${raw.text.slice(0, 80)}`, rid);
  }
}

/** Harbor's own words: `errors[].message` of its error body, else the raw text. */
function harborMessage(raw: RawResponse): string {
  try {
    const body = JSON.parse(raw.text) as { errors?: { code?: string; message?: string }[] };
    const msgs = (body.errors ?? []).map((e) => e.message ?? e.code ?? "").filter((m) => m !== "");
    if (msgs.length > 0) return msgs.join("; ");
  } catch {
    // not JSON: fall through to the text
  }
  return raw.text.trim().slice(0, 200) || "(empty body)";
}

function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const v = headerOf(headers, "retry-after");
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
