// The policy pack under the analyzer the Pulumi CLI starts (run-policy-pack, TypeScript
// type-checked, driven over gRPC as the engine drives it; see ./analyzer.ts for the sources),
// fed every registration of the real program for both stacks, serialized as the engine sends
// it: secrets as secret objects and, in a first preview, outputs not known yet as unknowns.
import { expect } from "chai";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { policies } from "../../policy/policies";
import { TYPES } from "../../policy/lib/resources";
import { runPack, type Violation } from "../../policy/lib/engine";
import { BROKEN_CONFIGS } from "../policy/broken-configs";
import { packConfig, stackResources, type Mutation, type StackResource } from "../policy/stack-runs";
import type { ConfigOverrides } from "../harness";
import {
  isBlind,
  PolicyAnalyzer,
  reconcilePackConfig,
  wireInputs,
  type Analysis,
  type Diagnostic,
} from "./analyzer";

const STACKS = ["dev", "prod"] as const;
type Stack = (typeof STACKS)[number];

const mandatory = (a: Analysis) => a.diagnostics.filter((d) => d.level === "mandatory");
const key = (d: Pick<Diagnostic, "policy" | "level" | "urn">) => `${d.policy}|${d.level}|${d.urn}`;
const names = (ds: readonly Diagnostic[]) => [...new Set(ds.map((d) => d.policy))].sort();

describe("registrations in the engine's wire form (what Analyze receives)", () => {
  for (const preview of [false, true]) {
    for (const stack of STACKS) {
      it(`${stack}${preview ? ", first preview" : ""}: a test's plain props turn back into what the SDK sent`, async () => {
        for (const r of await stackResources(stack, {}, undefined, { preview })) {
          expect(wireInputs(r), r.urn).to.deep.equal(r.wire?.inputs);
        }
      });
    }
  }

  it("dev: the Harbor values carry the generated database password as their only secret, unknown in a first preview", async () => {
    for (const preview of [false, true]) {
      const release = (await stackResources("dev", {}, undefined, { preview })).find(
        (r) => r.type === TYPES.release && r.props.chart === "harbor",
      );
      const text = JSON.stringify(release?.wire?.inputs.values);
      expect(text.split(specialSecretSig).length - 1, text).to.equal(preview ? 0 : 1);
      expect(text.split(unknownValue).length - 1, text).to.equal(preview ? 1 : 0);
      expect(release?.wire?.inputs.values).to.have.nested.property(
        preview ? "database.internal.password" : `database.internal.password.${specialSigKey}`,
      );
    }
  });
});

// Starting the analyzer type-checks the pack with ts-node (seconds of CPU in the child): begun
// by a root hook when the whole run starts, it overlaps the other test files.
let starting: Promise<PolicyAnalyzer> | undefined;
before(() => {
  starting = PolicyAnalyzer.start();
  // Awaited (and its failure reported) by the suite below; if that suite is filtered out, unused.
  starting.catch(() => undefined);
});
after(async () => {
  await (await starting?.catch(() => undefined))?.stop();
});

describe("policy pack under the real analyzer (run-policy-pack)", function () {
  this.timeout(60_000);
  let analyzer: PolicyAnalyzer;
  const configured: { stack?: Stack; preview?: boolean } = {};

  before(async () => {
    if (!starting) throw new Error("the root hook did not start the analyzer");
    analyzer = await starting;
  });

  /** One deployment of `stack` as the engine runs it with policy/config/<stack>.json. */
  async function deploy(
    stack: Stack,
    {
      overrides = {},
      mutate,
      preview = false,
    }: { overrides?: ConfigOverrides; mutate?: Mutation; preview?: boolean } = {},
  ): Promise<{ analysis: Analysis; resources: StackResource[] }> {
    const resources = await stackResources(stack, overrides, mutate, { preview });
    if (configured.stack !== stack || configured.preview !== preview) {
      await analyzer.configure(stack, packConfig(stack), preview);
      Object.assign(configured, { stack, preview });
    }
    return { analysis: await analyzer.deployment(resources), resources };
  }

  it("loads the pack: every policy of policy/policies is served", () => {
    expect(analyzer.policies.map((p) => p.name).sort()).to.deep.equal(policies.map((p) => p.name).sort());
    // @pulumi/policy 1.21 implements no Handshake; the engine falls back (analyzer_plugin.go).
    expect(analyzer.handshake).to.equal("unimplemented");
  });

  for (const stack of STACKS) {
    it(`policy/config/${stack}.json passes the engine's reconcile and schema validation`, () => {
      const { config, errors } = reconcilePackConfig(analyzer.policies, packConfig(stack));
      expect(errors).to.deep.equal([]);
      expect([...config.keys()].sort()).to.deep.equal(analyzer.policies.map((p) => p.name).sort());
    });
  }

  it("the engine's validation refuses a level or property the policies' schemas do not allow", () => {
    const { errors } = reconcilePackConfig(analyzer.policies, {
      "tls-key-strength": { minRsaBits: "4096" },
      "certificate-lifetime": "strict",
    });
    expect(errors).to.have.length(2);
    expect(errors.join())
      .to.match(/certificate-lifetime.*strict/)
      .and.match(/tls-key-strength.*minRsaBits/);
  });

  for (const stack of STACKS) {
    it(`${stack}: no mandatory violation, and the offline engine reports exactly what the analyzer does`, async () => {
      const { analysis, resources } = await deploy(stack);
      expect(mandatory(analysis).map(key), analyzer.output()).to.deep.equal([]);
      const offline = await runPack(policies, resources, { config: packConfig(stack) });
      const offlineKeys = offline.map((v: Violation) => key({ ...v, urn: v.urn ?? "" }));
      expect(analysis.diagnostics.map(key).sort()).to.deep.equal(offlineKeys.sort());
    });
  }

  describe("a new stack's first preview (outputs not known yet are unknown)", () => {
    for (const stack of STACKS) {
      it(`${stack}: no policy goes blind, none is violated, the offline engine agrees`, async () => {
        const { analysis, resources } = await deploy(stack, { preview: true });
        // The preview really sends unknowns: the stack has inputs the analyzer cannot know.
        expect(JSON.stringify(resources.map((r) => r.props))).to.include(
          "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        );
        // Not only the mandatory ones: no policy of the pack goes blind.
        const blind = analysis.diagnostics.filter(isBlind).map((d) => `${d.policy}: ${d.message}`);
        expect(blind).to.deep.equal([]);
        expect(mandatory(analysis).map(key)).to.deep.equal([]);
        const offline = await runPack(policies, resources, { config: packConfig(stack) });
        expect(analysis.diagnostics.map(key).sort()).to.deep.equal(
          offline.map((v) => key({ ...v, urn: v.urn ?? "" })).sort(),
        );
      });
    }

    it("dev: Harbor with TLS off is still a mandatory violation in the first preview", async () => {
      const tlsOff = BROKEN_CONFIGS.find((b) => b.expected.includes("harbor-tls-exposure"));
      const { analysis } = await deploy("dev", { mutate: tlsOff?.mutate, preview: true });
      expect(names(mandatory(analysis))).to.deep.equal(["harbor-tls-exposure"]);
    });

    it("prod: a DR bucket with versioning suspended is still a mandatory violation in the first preview", async () => {
      const suspend = (r: StackResource): StackResource =>
        r.type === TYPES.bucketVersioning
          ? { ...r, props: { ...r.props, versioningConfiguration: { status: "Suspended" } } }
          : r;
      const { analysis } = await deploy("prod", { mutate: (rs) => rs.map(suspend), preview: true });
      expect(names(mandatory(analysis))).to.deep.equal(["s3-bucket-versioned"]);
    });
  });

  describe("broken configurations (test/policy/broken-configs.ts) get exactly their policies", () => {
    const baselines = new Map<Stack, string[]>();
    for (const broken of BROKEN_CONFIGS) {
      it(`${broken.stack}: ${broken.name} → ${broken.expected.join(", ")}`, async () => {
        if (!baselines.has(broken.stack)) {
          baselines.set(broken.stack, mandatory((await deploy(broken.stack)).analysis).map(key));
        }
        const { analysis } = await deploy(broken.stack, {
          overrides: broken.overrides,
          mutate: broken.mutate,
        });
        const added = mandatory(analysis).filter((d) => !baselines.get(broken.stack)?.includes(key(d)));
        expect(names(added)).to.deep.equal([...broken.expected].sort());
      });
    }
  });
});
