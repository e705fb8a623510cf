// The Harbor resources of a program run, driven through the real nodejs dynamic-provider host
// the way `pulumi up` drives it. The host is node_modules/@pulumi/pulumi/cmd/dynamic-provider/
// index.js of the pinned @pulumi/pulumi 3.248.0, started as the CLI's launcher
// sdk/nodejs/dist/pulumi-resource-pulumi-nodejs starts it: `node <script> <engine address>`, in
// the program's folder.
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { ConfigureResponse } from "@pulumi/pulumi/proto/provider_pb";
import type { FakeHarbor } from "../fakes/harbor";
import { ROOT, type Registered, type StackRun, wireInputs } from "../harness";
import { mockOutputs } from "../harness/mock-outputs";
import { startPlugin, type RunningPlugin } from "./plugin";
import {
  EngineProviderDriver,
  isSecret,
  makeSecret,
  stripSecrets,
  type PropertyMap,
  type ResourceState,
} from "./provider-engine";

export const HOST_SCRIPT = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
/** Dynamic resources (`pulumi-nodejs:dynamic/...`) use the default provider of package pulumi-nodejs. */
export const DYNAMIC_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
const HARBOR_TYPE = /^pulumi-nodejs:dynamic\/harbor:Harbor/;

export interface HarborHost {
  readonly plugin: RunningPlugin;
  readonly driver: EngineProviderDriver;
  readonly configured: ConfigureResponse;
}

/** Starts the host in the program's folder (or `cwd`) and configures it as the engine does. */
export async function startHarborHost(
  env: Record<string, string | undefined> = {},
  cwd: string = ROOT,
): Promise<HarborHost> {
  const plugin = await startPlugin({ script: HOST_SCRIPT, cwd, env });
  const driver = new EngineProviderDriver(plugin.client(ResourceProviderClient));
  const configured = await driver.configure(DYNAMIC_PROVIDER_TYPE);
  return { plugin, driver, configured };
}

/** The run's Harbor configuration resources, in registration order. */
export function harborRegistrations(run: StackRun): Registered[] {
  return run.resources.filter((r) => HARBOR_TYPE.test(r.type));
}

export const plain = (v: unknown) => stripSecrets(v);

/**
 * What the engine holds as `r`'s inputs in a real run: the registered inputs (secrets wrapped as
 * the SDK sent them), with
 * - the connection pointed at `fake` (its URL and admin login); the program's CA becomes
 *   `projectCa` (the mocks' CA is no certificate), an empty CA stays empty;
 * - each value that came from another Harbor resource's output (under the mocks, that output's
 *   stand-in) replaced by the output that resource really got from the host.
 */
export function engineInputs(
  run: StackRun,
  r: Registered,
  fake: FakeHarbor,
  projectCa: string,
  created: ReadonlyMap<string, ResourceState>,
): PropertyMap {
  const inputs = wireInputs(r);
  const conn = inputs.connection;
  if (!isSecret(conn)) throw new Error(`${r.name}: the connection is not secret`);
  const registeredCa = (conn.value as { caCert: string }).caCert;
  const programCa = run.outputs.caCert.value;
  if (registeredCa !== "" && registeredCa !== programCa) {
    throw new Error(`${r.name}: the connection trusts a CA other than the program's`);
  }
  inputs.connection = makeSecret({
    ...(conn.value as object),
    url: fake.url,
    username: fake.username,
    password: fake.password,
    caCert: registeredCa === "" ? "" : projectCa,
  });
  for (const urn of r.inputDependencies) {
    const dep = created.get(urn);
    if (!dep) continue;
    const depReg = run.resources.find((x) => x.urn === urn) as Registered;
    const stand = mockOutputs({ type: depReg.type, name: depReg.name, inputs: depReg.inputs });
    for (const [k, v] of Object.entries(stand)) {
      if (k in inputs && inputs[k] === v) inputs[k] = plain(dep.outputs[k]);
    }
  }
  return inputs;
}

/** The resource's kind, as its `harborKind` input names it. */
export const kindOf = (s: { inputs: PropertyMap }) => String(plain(s.inputs.harborKind));
