// The building blocks of the config schema (config/schema/index.ts): every key is a `KeyDef`
// whose zod schema is the parser and the type, and whose metadata yields the Pulumi.yaml
// declaration, the README reference and the one-line errors. Leaves read their values with
// the project's one implementation of each concept (policy/concepts/), so the config, the
// policy pack and the docs cannot disagree.
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { parseCron, CRON_DIALECTS, type CronDialect, type CronSchedule } from "../../policy/concepts/cron";
import { goDurationSeconds } from "../../policy/concepts/duration";
import { parseCidr, parseHostPort, parseIp } from "../../policy/concepts/network";
import { quantityBytes } from "../../policy/concepts/quantity";

export type Topology = "dev" | "prod";
export const TOPOLOGIES = ["dev", "prod"] as const satisfies readonly Topology[];

/** What the README's reference says about a value: its type and, where it is computed, its default. */
export interface LeafMeta {
  /** The value's type as the reference names it: `string`, `integer`, `size`, `cron (5 fields)`. */
  readonly type: string;
  /** What is allowed, as the one-line error says it. */
  readonly allowed: string;
}

declare module "zod" {
  interface GlobalMeta {
    readonly type?: string;
    readonly allowed?: string;
    readonly doc?: string;
    /** A default the schema cannot state as a value; per topology where they differ. */
    readonly defaultText?: string | Readonly<Partial<Record<"dev" | "prod", string>>>;
  }
}

/**
 * A leaf: `read` returns the parsed value or undefined, and a refusal is one issue whose
 * message is `allowed` (or `allowed; reason` when `read` returns a reason).
 */
export function leaf<T>(
  meta: LeafMeta,
  read: (value: unknown) => T | undefined | { readonly refused: string },
): z.ZodType<T, unknown> {
  return z
    .unknown()
    .transform((value, ctx) => {
      const out = read(value);
      if (out === undefined || isRefusal(out)) {
        ctx.addIssue({
          code: "custom",
          message: isRefusal(out) ? `${meta.allowed}; ${out.refused}` : meta.allowed,
          input: value,
        });
        return z.NEVER;
      }
      return out;
    })
    .meta({ type: meta.type, allowed: meta.allowed }) as unknown as z.ZodType<T, unknown>;
}

function isRefusal(value: unknown): value is { readonly refused: string } {
  return typeof value === "object" && value !== null && "refused" in value && Object.keys(value).length === 1;
}

/** Characters that would end up inside generated files (Helm values, INI, YAML) and break them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);

/**
 * Why `pem` is not one or more CA certificates (each block read by Node's X.509 reader,
 * basicConstraints CA:TRUE), or undefined when it is.
 */
export function caPemProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return "no PEM certificate found";
  for (const [i, block] of blocks.entries()) {
    let isCa: boolean;
    try {
      isCa = new X509Certificate(block).ca;
    } catch {
      return `certificate ${i + 1} is unreadable`;
    }
    if (!isCa) return `certificate ${i + 1} is not a CA`;
  }
  return undefined;
}

/** A non-empty string without control characters. */
export function text(allowed = "a non-empty string without control characters", type = "string") {
  return leaf<string>({ type, allowed }, (v) =>
    typeof v === "string" && v.trim() !== "" && !hasControlCharacters(v) ? v : undefined,
  );
}

/** A string matching `re` (and free of control characters). */
export function pattern(re: RegExp, allowed: string, type = "string") {
  return leaf<string>({ type, allowed }, (v) =>
    typeof v === "string" && !hasControlCharacters(v) && re.test(v) ? v : undefined,
  );
}

export function oneOf<const T extends readonly string[]>(values: T, allowed = `one of ${values.join(", ")}`) {
  return leaf<T[number]>({ type: values.map((v) => `\`${v}\``).join(" | "), allowed }, (v) =>
    typeof v === "string" && (values as readonly string[]).includes(v) ? (v as T[number]) : undefined,
  );
}

/**
 * An integer in [min, max]. Pulumi stores `pulumi config set replicas 3` as the string "3";
 * both forms are read.
 */
export function integer(min: number, max?: number, allowed?: string) {
  const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return leaf<number>({ type: "integer", allowed: allowed ?? range }, (v) => {
    const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    return typeof n === "number" && Number.isInteger(n) && n >= min && (max === undefined || n <= max)
      ? n
      : undefined;
  });
}

export function boolean() {
  return leaf<boolean>({ type: "boolean", allowed: "true or false" }, (v) =>
    typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined,
  );
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A Kubernetes object name (RFC 1123 label): namespaces, Secrets, classes without dots. */
export function k8sName() {
  return pattern(DNS_LABEL, "a Kubernetes name: lower-case letters, digits and '-', at most 63", "name");
}

/** An RFC 1123 subdomain: StorageClass names. */
export function k8sSubdomain(allowed = "a StorageClass name (lower-case DNS subdomain)") {
  return leaf<string>({ type: "name", allowed }, (v) =>
    typeof v === "string" && v.length <= 253 && v.split(".").every((l) => DNS_LABEL.test(l)) ? v : undefined,
  );
}

/** A fully qualified DNS name (at least two labels, lower case, not an IP). */
export function dnsName(
  allowed = "a lower-case DNS name with at least two labels, like registry.example.com",
) {
  return leaf<string>({ type: "DNS name", allowed }, (v) => {
    if (typeof v !== "string" || v.length > 253) return undefined;
    const labels = v.split(".");
    return labels.length >= 2 &&
      labels.every((l) => DNS_LABEL.test(l)) &&
      !/^\d+$/.test(labels[labels.length - 1])
      ? v
      : undefined;
  });
}

/** A storage size (policy/concepts/quantity.ts): `10Gi`, `500G`; never `10m`, which is milli. */
export function size() {
  return leaf<string>(
    {
      type: "size",
      allowed: "a positive size in whole bytes (a Kubernetes quantity), like 512Mi, 10Gi or 500G",
    },
    (v) => (typeof v === "string" && quantityBytes(v) !== undefined ? v : undefined),
  );
}

/** A positive Go duration (`168h`, `1h30m`), read by Harbor's registry and Velero with time.ParseDuration. */
export function duration() {
  return leaf<string>({ type: "duration", allowed: "a positive duration like 24h, 30m or 1h30m" }, (v) => {
    const seconds = typeof v === "string" ? goDurationSeconds(v) : undefined;
    return seconds !== undefined && seconds > 0 ? (v as string) : undefined;
  });
}

/**
 * A cron schedule as the component that runs it reads it (policy/concepts/cron.ts); the
 * policy pack measures the same schedules with the same code.
 */
export function cron(dialect: CronDialect) {
  const rules = CRON_DIALECTS[dialect];
  return leaf<CronSchedule>({ type: `cron (${rules.fields} fields)`, allowed: rules.allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    const result = parseCron(v, dialect);
    if (result.ok) return result.schedule;
    return result.reason === undefined ? undefined : { refused: result.reason };
  });
}

/** An IPv4 or IPv6 network in address/prefix form (ipaddr.js, policy/concepts/network.ts). */
export function cidr(allowed = "a CIDR like 10.0.0.0/8 or fd00::/8") {
  return leaf<string>({ type: "CIDR", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    const c = parseCidr(v);
    return "error" in c ? { refused: c.error } : v;
  });
}

export function ipAddress(allowed = "an IPv4 or IPv6 address") {
  return leaf<string>({ type: "IP", allowed }, (v) =>
    typeof v === "string" && parseIp(v) !== undefined ? v : undefined,
  );
}

/** `host:port` or `[ipv6]:port`. */
export function hostPort(allowed = "host:port (or [IPv6 address]:port)") {
  return leaf<{ host: string; port: number }>({ type: "host:port", allowed }, (v) =>
    typeof v === "string" && !hasControlCharacters(v) ? parseHostPort(v) : undefined,
  );
}

export function httpsUrl(allowed = "an https:// URL") {
  return leaf<string>({ type: "URL", allowed }, (v) => {
    if (typeof v !== "string" || hasControlCharacters(v)) return undefined;
    try {
      return new URL(v).protocol === "https:" ? v : undefined;
    } catch {
      return undefined;
    }
  });
}

// S3 general purpose bucket names, as AWS's "General purpose bucket naming rules" state them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): the names
// S3 itself would refuse, whichever S3 implementation the bucket is in.
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
const S3_RESERVED_SUFFIXES: readonly (readonly [string, string])[] = [
  ["-s3alias", "access point aliases"],
  ["--ol-s3", "Object Lambda access point aliases"],
  [".mrap", "Multi-Region Access Points"],
  ["--x-s3", "directory buckets"],
  ["--table-s3", "table buckets"],
];

/** Why `name` is not an S3 general purpose bucket name, or undefined when it is one. */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `it has ${name.length} characters`;
  const other = /[^a-z0-9.-]/.exec(name);
  if (other) return `it has ${JSON.stringify(other[0])}`;
  if (!/^[a-z0-9]/.test(name)) return `it begins with ${JSON.stringify(name[0])}`;
  if (!/[a-z0-9]$/.test(name)) return `it ends with ${JSON.stringify(name[name.length - 1])}`;
  if (name.includes("..")) return "it has two adjacent periods";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "it is formatted as an IP address";
  const prefix = S3_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `the prefix ${prefix} is reserved by S3`;
  const suffix = S3_RESERVED_SUFFIXES.find(([s]) => name.endsWith(s));
  if (suffix !== undefined) return `the suffix ${suffix[0]} is reserved by S3 for ${suffix[1]}`;
  return undefined;
}

/** An S3 general purpose bucket name (s3BucketNameProblem says why one is refused). */
export function s3BucketName(
  allowed = "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', beginning and ending with a letter or digit",
) {
  return leaf<string>({ type: "S3 bucket", allowed }, (v) => {
    if (typeof v !== "string") return undefined;
    const problem = s3BucketNameProblem(v);
    return problem === undefined ? v : { refused: problem };
  });
}

/** A strict object: an unknown field is refused with a did-you-mean (see ./errors.ts). */
export function section<S extends z.ZodRawShape>(shape: S, doc?: string) {
  const o = z.strictObject(shape);
  return doc === undefined ? o : o.meta({ doc });
}

/** A list of `element`; `min` elements at least. */
export function listOf<T extends z.ZodType>(element: T, min = 0) {
  return z.array(element).min(min, { message: `a list of at least ${min}` });
}

// ---------------------------------------------------------------------------------------------
// Keys

/** The README section a key is documented in. */
export type KeyGroup =
  | "Core"
  | "Prod data tier"
  | "Disaster recovery (prod)"
  | "Observability"
  | "Restricted networks"
  | "Existing operators"
  | "Upgrades";

export interface KeyDef<S extends z.ZodType = z.ZodType> {
  /** The value's schema (parser and type); applied to the stack's value or the default. */
  readonly schema: S;
  /** One sentence: what the key is for. */
  readonly doc: string;
  readonly group: KeyGroup;
  /** Topologies that read the key; set anywhere else it is refused. Default: both. */
  readonly topologies?: readonly Topology[];
  /** The value used when the stack does not set the key, per topology (raw form). */
  readonly defaults?: Partial<Record<Topology, unknown>>;
  /** Topologies where the stack must set the key. */
  readonly required?: readonly Topology[];
  /** What a missing required value is told (after "required"). */
  readonly requiredHint?: string;
  /** A secret: must be set with `pulumi config set --secret`; its value is never shown. */
  readonly secret?: boolean;
  /** Read only when another key has one of these values; set otherwise it is refused. */
  readonly when?: { readonly key: string; readonly values: readonly string[]; readonly fallback: string };
  /** The README's text for a default the schema cannot state as one value. */
  readonly defaultText?: Partial<Record<Topology, string>>;
}

export function key<S extends z.ZodType>(def: KeyDef<S>): KeyDef<S> {
  return def;
}

export const appliesTo = (def: KeyDef, topology: Topology): boolean =>
  (def.topologies ?? TOPOLOGIES).includes(topology);

/** Whether a schema takes a structured (object or list) value. */
export function isStructured(schema: z.ZodType): boolean {
  const t = unwrap(schema)._zod.def.type;
  return t === "object" || t === "array" || t === "union" || t === "record";
}

/** The schema under optional/default/prefault/nullable wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.ZodType };
    if (
      (def.type === "optional" ||
        def.type === "default" ||
        def.type === "prefault" ||
        def.type === "nullable") &&
      def.innerType
    )
      s = def.innerType;
    else return s;
  }
}
