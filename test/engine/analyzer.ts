// Drives the policy pack through the analyzer the Pulumi CLI starts for `--policy-pack policy`:
// `node @pulumi/pulumi/cmd/run-policy-pack <engine address> .` with cwd = the pack folder, which
// type-checks the TypeScript pack with ts-node and serves pulumirpc.Analyzer. The calls follow
// the engine (pulumi/pulumi, read at the commits the code index holds):
// - sdk/go/common/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer: the plugin runs in the
//   pack's folder with args `<engine address> .`, then Handshake (Unimplemented is fine) and
//   ConfigureStack; Analyze and AnalyzeStack marshal properties with KeepUnknowns and KeepSecrets.
// - pkg/engine/plugins.go: GetAnalyzerInfo, then ReconcilePolicyPackConfig
//   (pkg/resource/analyzer/config.go: each policy's level and schema defaults, the
//   `--policy-pack-config` file over them, every policy's properties validated against its
//   configSchema), then Configure.
// - pkg/resource/deploy/step_generator.go: per resource Remediate then Analyze with the checked
//   inputs and options without the parent; at the end AnalyzeStack with every resource's
//   outputs, parent, dependencies and property dependencies.
import * as path from "path";
import Ajv from "ajv";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { StackResource } from "../policy/stack-runs";
import { ROOT } from "../harness";
import { startPlugin, unary, type RunningPlugin } from "./plugin";

export const PACK_DIR = path.join(ROOT, "policy");
const PROJECT = "harbor-platform";

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: Record<Level, proto.EnforcementLevel> = {
  advisory: proto.EnforcementLevel.ADVISORY,
  mandatory: proto.EnforcementLevel.MANDATORY,
  disabled: proto.EnforcementLevel.DISABLED,
  remediate: proto.EnforcementLevel.REMEDIATE,
};
const levelName = (l: proto.EnforcementLevel) =>
  (Object.keys(LEVELS) as Level[]).find((k) => LEVELS[k] === l) ?? `level ${l}`;

export interface PolicyDescription {
  readonly name: string;
  readonly enforcementLevel: Level;
  readonly configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface Diagnostic {
  readonly policy: string;
  readonly level: string;
  readonly message: string;
  /** The resource judged (Analyze) or the one the policy named (AnalyzeStack). */
  readonly urn: string;
}

export interface Analysis {
  readonly diagnostics: Diagnostic[];
  /** Policies that said they do not apply, with their reasons. */
  readonly notApplicable: { policy: string; reason: string }[];
}

/** A policy's config after the engine reconciled it. */
export interface PolicyConfig {
  readonly enforcementLevel: Level;
  readonly properties: Record<string, unknown>;
}

const isLevel = (v: unknown): v is Level => typeof v === "string" && v in LEVELS;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The engine's ReconcilePolicyPackConfig over a `--policy-pack-config` file's content: every
 * policy at its own level with its schema defaults, the file applied over them (a string is a
 * level; an object may carry `enforcementLevel`; `all` sets every level), then each policy's
 * properties validated against `{type: object, properties, required}` of its configSchema.
 * Returns the config, or the errors the CLI would stop with.
 */
export function reconcilePackConfig(
  policies: readonly PolicyDescription[],
  file: unknown,
): { config: Map<string, PolicyConfig>; errors: string[] } {
  const errors: string[] = [];
  const given = new Map<string, { level?: Level; properties: Record<string, unknown> }>();
  for (const [name, v] of Object.entries(isRecord(file) ? file : {})) {
    if (typeof v === "string") {
      if (isLevel(v)) given.set(name, { level: v, properties: {} });
      else errors.push(`parsing enforcement level for "${name}": "${v}" is not a valid enforcement level`);
    } else if (isRecord(v)) {
      const { enforcementLevel, ...properties } = v;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        errors.push(
          `parsing enforcement level for "${name}": ${JSON.stringify(enforcementLevel)} is not valid`,
        );
      } else given.set(name, { level: enforcementLevel, properties });
    } else {
      errors.push(`parsing "${name}": ${JSON.stringify(v)} is not a valid value; must be a string or object`);
    }
  }
  const config = new Map<string, PolicyConfig>();
  for (const p of policies) {
    const defaults = Object.entries(p.configSchema?.properties ?? {}).flatMap(([k, s]) =>
      "default" in s ? [[k, s.default] as const] : [],
    );
    config.set(p.name, { enforcementLevel: p.enforcementLevel, properties: Object.fromEntries(defaults) });
  }
  const all = given.get("all")?.level;
  if (all) for (const [k, c] of config) config.set(k, { ...c, enforcementLevel: all });
  for (const [name, g] of given) {
    const c = config.get(name) ?? { enforcementLevel: g.level ?? "advisory", properties: {} };
    config.set(name, {
      enforcementLevel: g.level ?? c.enforcementLevel,
      properties: { ...c.properties, ...g.properties },
    });
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const p of policies) {
    if (!p.configSchema) continue;
    const schema = {
      type: "object",
      properties: p.configSchema.properties,
      required: p.configSchema.required,
    };
    const validate = ajv.compile(schema);
    if (!validate(config.get(p.name)?.properties ?? {})) {
      for (const e of validate.errors ?? [])
        errors.push(`${p.name}: ${e.instancePath || "(root)"} ${e.message}`);
    }
  }
  return { config, errors };
}

/**
 * `plain` in the wire form of `wire`: where `wire` held a secret at the same place the value
 * is wrapped again, so a test's edit of the plain props keeps the secrets the program sent.
 */
export function rewrap(plain: unknown, wire: unknown): unknown {
  if (isRecord(wire) && wire[specialSigKey] === specialSecretSig) {
    return { [specialSigKey]: specialSecretSig, value: rewrap(plain, wire.value) };
  }
  if (Array.isArray(plain)) return plain.map((v, i) => rewrap(v, Array.isArray(wire) ? wire[i] : undefined));
  if (isRecord(plain)) {
    return Object.fromEntries(
      Object.entries(plain).map(([k, v]) => [k, rewrap(v, isRecord(wire) ? wire[k] : undefined)]),
    );
  }
  return plain;
}

/** The inputs as the engine sends them to Analyze. */
export function wireInputs(r: StackResource): Record<string, unknown> {
  return rewrap(r.props, r.wire?.inputs) as Record<string, unknown>;
}

/** The outputs as the engine sends them to AnalyzeStack: what the provider computed, then the inputs. */
export function wireOutputs(r: StackResource): Record<string, unknown> {
  return { ...r.wire?.computed, ...wireInputs(r) };
}

const toStruct = (o: Record<string, unknown>) => Struct.fromJavaScript(o as Record<string, JavaScriptValue>);

function options(r: StackResource): proto.AnalyzerResourceOptions {
  return new proto.AnalyzerResourceOptions()
    .setProtect(r.protect ?? false)
    .setCustomtimeouts(new proto.AnalyzerResourceOptions.CustomTimeouts());
}

function analysis(res: proto.AnalyzeResponse, urn = ""): Analysis {
  return {
    diagnostics: res.getDiagnosticsList().map((d) => ({
      policy: d.getPolicyname(),
      level: levelName(d.getEnforcementlevel()),
      message: d.getMessage(),
      urn: d.getUrn() || urn,
    })),
    notApplicable: res
      .getNotApplicableList()
      .map((n) => ({ policy: n.getPolicyName(), reason: n.getReason() })),
  };
}

/** The policy analyzer process and the engine's side of its conversation. */
export class PolicyAnalyzer {
  /** Analyze answers under the current configuration, by request. */
  private readonly answers = new Map<string, Promise<Analysis>>();

  private constructor(
    private readonly plugin: RunningPlugin,
    private readonly client: AnalyzerClient,
    readonly policies: readonly PolicyDescription[],
    /** Whether the analyzer answered Handshake (Unimplemented is allowed by the engine). */
    readonly handshake: "ok" | "unimplemented",
  ) {}

  /** Starts the analyzer as the CLI does and asks what it serves. Takes a few seconds (ts-node). */
  static async start(): Promise<PolicyAnalyzer> {
    const plugin = await startPlugin({
      // The CLI's shim (sdk/nodejs/dist/pulumi-analyzer-policy) resolves it from the pack's folder.
      script: require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] }),
      args: ["."],
      cwd: PACK_DIR,
      // npm test runs mocha transpile-only; the CLI's analyzer type-checks the pack.
      env: { TS_NODE_TRANSPILE_ONLY: undefined, TS_NODE_TYPE_CHECK: undefined, TS_NODE_PROJECT: undefined },
    });
    try {
      const client = plugin.client(AnalyzerClient);
      let handshake: "ok" | "unimplemented" = "ok";
      const req = new proto.AnalyzerHandshakeRequest()
        .setEngineAddress(plugin.engine.address)
        .setRootDirectory(PACK_DIR)
        .setProgramDirectory(PACK_DIR);
      await unary((cb) => client.handshake(req, cb)).catch((err: { code?: number }) => {
        // grpc status 12: UNIMPLEMENTED, which the engine treats as "fall back".
        if (err.code !== 12) throw err;
        handshake = "unimplemented";
      });
      const info = await unary<proto.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
      const policies = info.getPoliciesList().map((p): PolicyDescription => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          enforcementLevel: levelName(p.getEnforcementlevel()) as Level,
          configSchema: schema && {
            properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<
              string,
              Record<string, unknown>
            >,
            required: schema.getRequiredList(),
          },
        };
      });
      return new PolicyAnalyzer(plugin, client, policies, handshake);
    } catch (err) {
      await plugin.stop();
      throw err;
    }
  }

  /** What the analyzer wrote to stderr and logged to the engine (for failure messages). */
  output(): string {
    return [this.plugin.output().stderr, ...this.plugin.engine.logs.map((l) => l.message)].join("\n");
  }

  /** ConfigureStack then Configure with a `--policy-pack-config` file's content, as the engine does. */
  async configure(stack: string, file: unknown, dryRun: boolean): Promise<void> {
    const stackReq = new proto.AnalyzerStackConfigureRequest()
      .setStack(stack)
      .setProject(PROJECT)
      .setOrganization("organization")
      .setDryRun(dryRun);
    await unary((cb) => this.client.configureStack(stackReq, cb));
    const { config, errors } = reconcilePackConfig(this.policies, file);
    if (errors.length > 0) throw new Error(`validating policy config: ${errors.join("; ")}`);
    const req = new proto.ConfigureAnalyzerRequest();
    for (const [name, c] of config) {
      req
        .getPolicyconfigMap()
        .set(
          name,
          new proto.PolicyConfig()
            .setEnforcementlevel(LEVELS[c.enforcementLevel])
            .setProperties(toStruct(c.properties)),
        );
    }
    await unary((cb) => this.client.configure(req, cb));
    this.answers.clear();
  }

  async analyze(r: StackResource): Promise<Analysis> {
    const req = new proto.AnalyzeRequest()
      .setUrn(r.urn)
      .setType(r.type)
      .setName(r.name)
      .setProperties(toStruct(wireInputs(r)))
      .setOptions(options(r));
    // Analyze depends only on the request and the configuration: a request already answered
    // under the same configuration (most resources of a broken-config row) is not sent again.
    const key = Buffer.from(req.serializeBinary()).toString("base64");
    let answer = this.answers.get(key);
    if (!answer) {
      answer = (async () => {
        // The engine remediates first; the pack has no remediation, so only the call is made.
        await unary((cb) => this.client.remediate(req, cb));
        return analysis(await unary<proto.AnalyzeResponse>((cb) => this.client.analyze(req, cb)), r.urn);
      })();
      this.answers.set(key, answer);
    }
    return answer;
  }

  async analyzeStack(resources: readonly StackResource[]): Promise<Analysis> {
    const req = new proto.AnalyzeStackRequest().setResourcesList(
      resources.map((r) => {
        const res = new proto.AnalyzerResource()
          .setUrn(r.urn)
          .setType(r.type)
          .setName(r.name)
          .setProperties(toStruct(wireOutputs(r)))
          .setOptions(options(r))
          .setParent(r.parent ?? "")
          .setDependenciesList([...(r.dependencies ?? [])]);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          res
            .getPropertydependenciesMap()
            .set(k, new proto.AnalyzerPropertyDependencies().setUrnsList([...urns]));
        }
        return res;
      }),
    );
    return analysis(await unary<proto.AnalyzeResponse>((cb) => this.client.analyzeStack(req, cb)));
  }

  /** One deployment's analysis: Analyze for every resource (in parallel, as the engine may), then AnalyzeStack. */
  async deployment(resources: readonly StackResource[]): Promise<Analysis> {
    const parts = [
      ...(await Promise.all(resources.map((r) => this.analyze(r)))),
      await this.analyzeStack(resources),
    ];
    return {
      diagnostics: parts.flatMap((p) => p.diagnostics),
      notApplicable: parts.flatMap((p) => p.notApplicable),
    };
  }

  stop(): Promise<void> {
    return this.plugin.stop();
  }
}

/** The analyzer's message for a policy that read an unknown value (server.js, UnknownValueError). */
export const isBlind = (d: Diagnostic) => /^can't run policy '.*' during preview: /.test(d.message);
