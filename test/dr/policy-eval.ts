// Whether a policy document lets one request through, by AWS's documented evaluation logic
// (IAM User Guide, "Policy evaluation logic" and "Condition operators"): an explicit Deny wins,
// otherwise some Allow must match action, resource, principal (resource policies) and every
// condition. Only the condition operators the DR policies use are known; any other fails loudly
// rather than being read as a match.
import type { PolicyStatement } from "../../components/dr/policies";
import { list } from "./stack-helpers";

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** The caller's ARN; checked against Principal in resource policies (key and bucket policies). */
  readonly principal: string;
  readonly context: Readonly<Record<string, string>>;
}

/** IAM's wildcards: `*` any run of characters, `?` one. */
function glob(pattern: string, value: string, caseless: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, caseless ? "i" : "").test(value);
}

const accountOf = (arn: string) => arn.split(":")[4];

function principalMatches(s: PolicyStatement, principal: string): boolean {
  if (s.Principal === undefined) return true; // identity policy: its subject is the caller
  if (s.Principal === "*") return true;
  // `arn:aws:iam::<account>:root` names the account: its IAM policies decide for its principals.
  return list(s.Principal.AWS).some(
    (p) => p === principal || (p.endsWith(":root") && accountOf(p) === accountOf(principal)),
  );
}

function conditionHolds(
  operator: string,
  tests: Readonly<Record<string, string | readonly string[]>>,
  context: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(tests).every(([key, values]) => {
    const actual = context[key];
    const any = (f: (v: string) => boolean) => list(values).some(f);
    switch (operator) {
      case "StringEquals":
        return actual !== undefined && any((v) => v === actual);
      case "StringLike":
        return actual !== undefined && any((v) => glob(v, actual, false));
      case "Bool":
        return actual !== undefined && any((v) => v === actual);
      case "NumericLessThan":
        return actual !== undefined && any((v) => Number(actual) < Number(v));
      case "Null":
        return any((v) => (v === "true") === (actual === undefined));
      default:
        throw new Error(`condition operator ${operator} is not evaluated here`);
    }
  });
}

function matches(s: PolicyStatement, r: Request): boolean {
  return (
    list(s.Action).some((a) => glob(a, r.action, true)) &&
    (s.Resource === undefined || list(s.Resource).some((p) => glob(p, r.resource, false))) &&
    principalMatches(s, r.principal) &&
    Object.entries(s.Condition ?? {}).every(([op, tests]) => conditionHolds(op, tests, r.context))
  );
}

/** Whether the statements allow the request (matched by an Allow, by no Deny). */
export function allows(statements: readonly PolicyStatement[], r: Request): boolean {
  const hit = statements.filter((s) => matches(s, r));
  return hit.some((s) => s.Effect === "Allow") && !hit.some((s) => s.Effect === "Deny");
}

/** Whether the statements deny the request explicitly. */
export function denies(statements: readonly PolicyStatement[], r: Request): boolean {
  return statements.some((s) => s.Effect === "Deny" && matches(s, r));
}
