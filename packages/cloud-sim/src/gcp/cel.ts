import { parse } from "@bufbuild/cel";

/**
 * Compiles a custom constraint's condition as Organization Policy does on create and update
 * ("Create and manage custom constraints": the condition is a Common Expression Language expression
 * over `resource`): it must parse as CEL, name no variable but `resource` (and the variables of its own
 * macros), and call only CEL's standard functions and the functions Google adds for custom constraints
 * on IAM allow policies ("Use custom constraints for IAM allow policies"). The parser is
 * @bufbuild/cel's. What is not modelled: the fields of each resource type are not vendored, so a
 * misspelt field of a known resource is not refused here.
 */
const STANDARD = new Set([
  // operators, as the parser names them
  "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "_&&_", "_||_", "!_", "-_", "_+_", "_-_", "_*_", "_/_", "_%_",
  "_?_:_", "_[_]", "@in", "@not_strictly_false", "_[?_]", "_?._",
  // standard functions and methods
  "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double", "string", "bytes", "bool",
  "type", "dyn", "timestamp", "duration", "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
  "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
  // strings extension functions Google's CEL environments enable
  "lowerAscii", "upperAscii", "replace", "split", "substring", "trim", "indexOf", "lastIndexOf", "join", "charAt",
]);

/** Functions Google adds for custom constraints on `iam.googleapis.com/AllowPolicy`. */
const GOOGLE = new Set([
  "RoleNameMatches",
  "RoleNameStartsWith",
  "RoleNameEndsWith",
  "RoleNameContains",
  "MemberSubjectMatches",
  "MemberSubjectEndsWith",
  "MemberTypeMatches",
  "MemberInPrincipalSet",
]);

interface TNode {
  exprKind: { case: string | undefined; value?: unknown };
}

function walk(e: TNode | undefined, scope: ReadonlySet<string>, problems: string[]): void {
  if (!e) return;
  const v = e.exprKind.value as Record<string, unknown> | undefined;
  switch (e.exprKind.case) {
    case "identExpr": {
      const name = (v as { name: string }).name;
      if (!scope.has(name)) problems.push(`undeclared reference to '${name}'`);
      return;
    }
    case "selectExpr":
      return walk(v?.operand as TNode, scope, problems);
    case "callExpr": {
      const call = v as { function: string; target?: TNode; args: TNode[] };
      if (!STANDARD.has(call.function) && !GOOGLE.has(call.function)) problems.push(`undeclared reference to function '${call.function}'`);
      walk(call.target, scope, problems);
      for (const a of call.args) walk(a, scope, problems);
      return;
    }
    case "listExpr":
      for (const x of (v as { elements: TNode[] }).elements) walk(x, scope, problems);
      return;
    case "structExpr":
      for (const entry of (v as { entries: { value?: TNode; keyKind: { value?: unknown } }[] }).entries) {
        walk(entry.keyKind.value as TNode | undefined, scope, problems);
        walk(entry.value, scope, problems);
      }
      return;
    case "comprehensionExpr": {
      const c = v as { iterVar: string; iterVar2?: string; accuVar: string; iterRange: TNode; accuInit: TNode; loopCondition: TNode; loopStep: TNode; result: TNode };
      walk(c.iterRange, scope, problems);
      walk(c.accuInit, scope, problems);
      const inner = new Set([...scope, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      walk(c.loopCondition, inner, problems);
      walk(c.loopStep, inner, problems);
      walk(c.result, new Set([...scope, c.accuVar]), problems);
      return;
    }
    default:
      return;
  }
}

/** Why the condition does not compile, or undefined when it does. */
export function celProblem(condition: string): string | undefined {
  let expr: TNode;
  try {
    expr = parse(condition).expr;
  } catch (e) {
    return (e as Error).message;
  }
  const problems: string[] = [];
  walk(expr, new Set(["resource"]), problems);
  return problems[0];
}
