// Bytes the Harbor resources of a run put into the Pulumi state, as `pulumi stack export` shows
// them. Each resource's record has the checkpoint's fields for a custom resource
// (apitype.ResourceV3, sdk/go/common/apitype/core.go at v3.248.0: urn, custom, id, type, inputs,
// outputs, parent, provider, dependencies, propertyDependencies, additionalSecretOutputs, plus
// created/modified and sourcePosition); its outputs are what the dynamic-provider host returns
// (the inputs, Harbor's answer, `__provider`: cmd/dynamic-provider's create) with the engine's
// secret marking (test/engine/provider-engine.ts). A secret is stored as the passphrase secrets
// manager's ciphertext, `v1:<base64 nonce>:<base64 AES-256-GCM ciphertext>`
// (sdk/go/common/resource/config/crypt.go), in the secret signature object.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { type Registered, type StackRun, wireInputs } from "../test/harness";
import { mockOutputs } from "../test/harness/mock-outputs";
import { isSecret, stepSecrets, type PropertyMap } from "../test/engine/provider-engine";

const HARBOR = /^pulumi-nodejs:dynamic\/harbor:Harbor/;
const PROVIDER_REF =
  "urn:pulumi:prod::harbor-platform::pulumi:providers:pulumi-nodejs::default::04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TIMESTAMP = "2026-12-01T12:00:00.000000000Z";

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** What the checkpoint holds for a secret: its ciphertext, as long as a real one. */
function encrypted(v: unknown): unknown {
  if (isSecret(v)) {
    const plaintext = Buffer.byteLength(JSON.stringify(v.value));
    const ciphertext = `v1:${"n".repeat(base64Length(12))}:${"c".repeat(base64Length(plaintext + 16))}`;
    return { [specialSigKey]: specialSecretSig, ciphertext };
  }
  if (Array.isArray(v)) return v.map(encrypted);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encrypted(x)]));
  return v;
}

/** One Harbor resource's state record. */
export function stateRecord(r: Registered): Record<string, unknown> {
  const inputs = wireInputs(r);
  const outputs: PropertyMap = {
    ...inputs,
    ...mockOutputs({ type: r.type, name: r.name, inputs: r.inputs }),
    __provider: inputs.__provider,
  };
  stepSecrets(outputs, inputs, r.additionalSecretOutputs ?? []);
  const record: Record<string, unknown> = {
    urn: r.urn,
    custom: true,
    id: `${r.name}-0123456789abcdef`,
    type: r.type,
    inputs: encrypted(inputs),
    outputs: encrypted(outputs),
    parent: r.parent,
    provider: PROVIDER_REF,
    dependencies: r.dependencies,
    // The engine keeps an entry per input; the harness records only their union, which is
    // counted once (most of it is the connection's: Harbor's URL, admin password and CA).
    propertyDependencies: Object.fromEntries(
      Object.keys(inputs).map((k) => [k, k === "connection" ? r.inputDependencies : []]),
    ),
    additionalSecretOutputs: r.additionalSecretOutputs,
    created: TIMESTAMP,
    modified: TIMESTAMP,
    sourcePosition: r.sourcePosition,
  };
  return record;
}

export interface HarborState {
  readonly resources: number;
  /** Bytes of every Harbor resource's record (compact JSON). */
  readonly bytes: number;
  /** Of which the `__provider` text, in inputs and outputs. */
  readonly providerBytes: number;
}

export function harborState(run: StackRun): HarborState {
  let bytes = 0;
  let providerBytes = 0;
  let resources = 0;
  for (const r of run.resources) {
    if (!HARBOR.test(r.type)) continue;
    resources++;
    bytes += Buffer.byteLength(JSON.stringify(stateRecord(r)));
    providerBytes += 2 * Buffer.byteLength(JSON.stringify(r.inputs.__provider));
  }
  return { resources, bytes, providerBytes };
}
