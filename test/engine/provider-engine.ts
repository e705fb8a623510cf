// The engine's side of the ResourceProvider protocol, for driving a real provider process the
// way `pulumi up` does. Transcribed from the Pulumi engine at tag v3.248.0 (the pinned
// @pulumi/pulumi 3.248.0):
// - sdk/go/common/resource/plugin/provider_plugin.go: Configure (AcceptSecrets etc. sent, the
//   provider's accept_secrets kept), Check / Diff / Create / Read / Update / Delete (which
//   properties each request carries; values marshalled with KeepSecrets = the provider's
//   accept_secrets, so a provider that does not accept secrets gets them as plain values; every
//   response unmarshalled with KeepSecrets and then `annotateSecrets(outs, ins)`);
// - sdk/go/common/resource/plugin/rpc.go: MarshalPropertyValue (a secret with KeepSecrets false
//   is sent as its element);
// - pkg/resource/deploy/step_executor.go: after a step, each `additionalSecretOutputs` output and
//   each output whose same-named input is secret becomes secret in the state.
// Property maps are JavaScript objects in which a secret is the SDK's wire form
// `{ [specialSigKey]: specialSecretSig, value }` (runtime/rpc.js).
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { unary } from "./plugin";

export type PropertyMap = Record<string, unknown>;

export function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as PropertyMap)[specialSigKey] === specialSecretSig;
}

export const makeSecret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

/** Go's PropertyValue.ContainsSecrets. */
export function containsSecrets(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecrets);
  if (v && typeof v === "object") return Object.values(v).some(containsSecrets);
  return false;
}

/** MarshalPropertyValue with KeepSecrets false: each secret is sent as its element. */
export function stripSecrets(v: unknown): unknown {
  if (isSecret(v)) return stripSecrets(v.value);
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripSecrets(x)]));
  return v;
}

/** provider_plugin.go annotateSecrets: an output is secret when its same-named input holds a secret. */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): void {
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in outs)) continue;
    const outValue = outs[key];
    const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && !isSecret(v);
    if (isObject(outValue) && isObject(inValue)) {
      annotateSecrets(outValue as PropertyMap, inValue as PropertyMap);
    } else if (!isSecret(outValue) && containsSecrets(inValue)) {
      outs[key] = makeSecret(outValue);
    }
  }
}

/** step_executor.go: what the state keeps secret after a step. */
export function stepSecrets(
  outputs: PropertyMap,
  inputs: PropertyMap,
  additionalSecretOutputs: string[],
): void {
  for (const k of additionalSecretOutputs) {
    if (k in outputs && !isSecret(outputs[k])) outputs[k] = makeSecret(outputs[k]);
  }
  for (const [k, out] of Object.entries(outputs)) {
    if (!isSecret(out) && k in inputs && isSecret(inputs[k])) outputs[k] = makeSecret(out);
  }
}

/** One resource as the engine names it. */
export interface ResourceRef {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
}

/** A resource's state: what `pulumi up` writes to the checkpoint. */
export interface ResourceState extends ResourceRef {
  id: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  readonly additionalSecretOutputs: string[];
}

const toStruct = (m: PropertyMap) => Struct.fromJavaScript(m as Record<string, JavaScriptValue>);
const fromStruct = (s: Struct | undefined): PropertyMap => (s ? (s.toJavaScript() as PropertyMap) : {});

interface Named<T> {
  setUrn(v: string): T;
  setName(v: string): T;
  setType(v: string): T;
}

/** Every request names its resource by URN, name and type. */
const naming = <T extends Named<T>>(req: T, r: ResourceRef): T =>
  req.setUrn(r.urn).setName(r.name).setType(r.type);

export class EngineProviderDriver {
  private acceptSecrets = false;

  constructor(private readonly client: ResourceProviderClient) {}

  /** Marshals a property map for this provider. */
  private marshal(m: PropertyMap): Struct {
    return toStruct((this.acceptSecrets ? m : stripSecrets(m)) as PropertyMap);
  }

  /** Configure as the engine sends it for a provider of `providerType` with no config. */
  async configure(providerType: string): Promise<provproto.ConfigureResponse> {
    const req = new provproto.ConfigureRequest()
      .setType(providerType)
      .setAcceptsecrets(true)
      .setAcceptresources(true)
      .setSendsOldInputs(true)
      .setSendsOldInputsToDelete(true)
      .setArgs(toStruct({}));
    const res = await unary<provproto.ConfigureResponse>((cb) => this.client.configure(req, cb));
    this.acceptSecrets = res.getAcceptsecrets();
    return res;
  }

  async check(
    r: ResourceRef,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: provproto.CheckFailure[] }> {
    const req = naming(new provproto.CheckRequest(), r)
      .setOlds(this.marshal(olds))
      .setNews(this.marshal(news));
    const res = await unary<provproto.CheckResponse>((cb) => this.client.check(req, cb));
    const inputs = fromStruct(res.getInputs());
    if (!this.acceptSecrets) annotateSecrets(inputs, news);
    return { inputs, failures: res.getFailuresList() };
  }

  async diff(s: ResourceState, news: PropertyMap): Promise<provproto.DiffResponse> {
    const req = naming(new provproto.DiffRequest(), s)
      .setId(s.id)
      .setOldInputs(this.marshal(s.inputs))
      .setOlds(this.marshal(s.outputs))
      .setNews(this.marshal(news));
    return unary<provproto.DiffResponse>((cb) => this.client.diff(req, cb));
  }

  async create(
    r: ResourceRef,
    inputs: PropertyMap,
    additionalSecretOutputs: string[],
  ): Promise<ResourceState> {
    const req = naming(new provproto.CreateRequest(), r)
      .setProperties(this.marshal(inputs))
      .setPreview(false);
    const res = await unary<provproto.CreateResponse>((cb) => this.client.create(req, cb));
    const outputs = fromStruct(res.getProperties());
    if (!this.acceptSecrets) annotateSecrets(outputs, inputs);
    stepSecrets(outputs, inputs, additionalSecretOutputs);
    return { ...r, id: res.getId(), inputs, outputs, additionalSecretOutputs };
  }

  /** A refresh: the state as the provider reads it back (id "" when the object is gone). */
  async read(s: ResourceState): Promise<ResourceState> {
    const req = naming(new provproto.ReadRequest(), s)
      .setId(s.id)
      .setProperties(this.marshal(s.outputs))
      .setInputs(this.marshal(s.inputs));
    const res = await unary<provproto.ReadResponse>((cb) => this.client.read(req, cb));
    const outputs = fromStruct(res.getProperties());
    let inputs = s.inputs;
    if (res.getInputs()) {
      inputs = fromStruct(res.getInputs());
      if (!this.acceptSecrets) annotateSecrets(inputs, s.inputs);
    }
    if (!this.acceptSecrets) annotateSecrets(outputs, s.outputs);
    stepSecrets(outputs, inputs, s.additionalSecretOutputs);
    return { ...s, id: res.getId(), inputs, outputs };
  }

  async update(s: ResourceState, news: PropertyMap): Promise<ResourceState> {
    const req = naming(new provproto.UpdateRequest(), s)
      .setId(s.id)
      .setOlds(this.marshal(s.outputs))
      .setNews(this.marshal(news))
      .setOldInputs(this.marshal(s.inputs))
      .setPreview(false);
    const res = await unary<provproto.UpdateResponse>((cb) => this.client.update(req, cb));
    const outputs = fromStruct(res.getProperties());
    if (!this.acceptSecrets) annotateSecrets(outputs, news);
    stepSecrets(outputs, news, s.additionalSecretOutputs);
    return { ...s, inputs: news, outputs };
  }

  async delete(s: ResourceState): Promise<void> {
    const req = naming(new provproto.DeleteRequest(), s)
      .setId(s.id)
      .setProperties(this.marshal(s.outputs))
      .setOldInputs(this.marshal(s.inputs));
    await unary<unknown>((cb) => this.client.delete(req, cb));
  }
}
