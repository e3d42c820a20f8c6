import { parse } from "@bufbuild/cel";
import { type FieldType, RESOURCE_FIELDS } from "./resource-fields.ts";

/**
 * Compiles a custom constraint's condition as Organization Policy does on create and update
 * ("Create and manage custom constraints": the condition is a Common Expression Language expression
 * over `resource`): it must parse as CEL, name no variable but `resource` (and the variables of its own
 * macros), and call only CEL's standard functions and the functions Google adds for custom constraints
 * on IAM allow policies ("Use custom constraints for IAM allow policies"). The parser is
 * @bufbuild/cel's. For the resource types whose fields are vendored (resource-fields.ts) a selection of a
 * field the type does not have is refused too ("undefined field"), as the real type check does.
 */
const STANDARD = new Set([
  // operators, as the parser names them
  "_==_",
  "_!=_",
  "_<_",
  "_<=_",
  "_>_",
  "_>=_",
  "_&&_",
  "_||_",
  "!_",
  "-_",
  "_+_",
  "_-_",
  "_*_",
  "_/_",
  "_%_",
  "_?_:_",
  "_[_]",
  "@in",
  "@not_strictly_false",
  "_[?_]",
  "_?._",
  // standard functions and methods
  "size",
  "contains",
  "startsWith",
  "endsWith",
  "matches",
  "int",
  "uint",
  "double",
  "string",
  "bytes",
  "bool",
  "type",
  "dyn",
  "timestamp",
  "duration",
  "getFullYear",
  "getMonth",
  "getDayOfYear",
  "getDayOfMonth",
  "getDate",
  "getDayOfWeek",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
  // strings extension functions Google's CEL environments enable
  "lowerAscii",
  "upperAscii",
  "replace",
  "split",
  "substring",
  "trim",
  "indexOf",
  "lastIndexOf",
  "join",
  "charAt",
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

/** What is known of an identifier in scope: its field type where one is vendored, otherwise undefined. */
type Scope = ReadonlyMap<string, FieldType | undefined>;

/** The element type of what a comprehension iterates over: list items, or (for maps) their string keys. */
function elementOf(t: FieldType | undefined): FieldType | undefined {
  if (t?.kind === "list") return t.of;
  if (t?.kind === "map") return { kind: "scalar" };
  return undefined;
}

/**
 * Walks the parsed expression, collecting problems, and returns the expression's field type where it is a
 * selection on `resource` (or on a variable bound to part of it) of a vendored resource type.
 */
function walk(e: TNode | undefined, scope: Scope, problems: string[]): FieldType | undefined {
  if (!e) return undefined;
  const v = e.exprKind.value as Record<string, unknown> | undefined;
  switch (e.exprKind.case) {
    case "identExpr": {
      const name = (v as { name: string }).name;
      if (!scope.has(name)) problems.push(`undeclared reference to '${name}'`);
      return scope.get(name);
    }
    case "selectExpr": {
      const sel = v as { operand: TNode; field: string };
      const t = walk(sel.operand, scope, problems);
      if (t?.kind === "object") {
        const f = t.fields[sel.field];
        if (!f) problems.push(`undefined field '${sel.field}'`);
        return f;
      }
      if (t?.kind === "map") return t.of;
      return undefined;
    }
    case "callExpr": {
      const call = v as { function: string; target?: TNode; args: TNode[] };
      if (!STANDARD.has(call.function) && !GOOGLE.has(call.function)) problems.push(`undeclared reference to function '${call.function}'`);
      walk(call.target, scope, problems);
      const args = call.args.map((a) => walk(a, scope, problems));
      if (call.function === "_[_]") {
        const on = args[0];
        if (on?.kind === "list" || on?.kind === "map") return on.of;
      }
      return undefined;
    }
    case "listExpr":
      for (const x of (v as { elements: TNode[] }).elements) walk(x, scope, problems);
      return undefined;
    case "structExpr":
      for (const entry of (v as { entries: { value?: TNode; keyKind: { value?: unknown } }[] }).entries) {
        walk(entry.keyKind.value as TNode | undefined, scope, problems);
        walk(entry.value, scope, problems);
      }
      return undefined;
    case "comprehensionExpr": {
      const c = v as {
        iterVar: string;
        iterVar2?: string;
        accuVar: string;
        iterRange: TNode;
        accuInit: TNode;
        loopCondition: TNode;
        loopStep: TNode;
        result: TNode;
      };
      const range = walk(c.iterRange, scope, problems);
      walk(c.accuInit, scope, problems);
      const inner = new Map(scope);
      inner.set(c.iterVar, elementOf(range));
      inner.set(c.accuVar, undefined);
      if (c.iterVar2) inner.set(c.iterVar2, range?.kind === "list" || range?.kind === "map" ? range.of : undefined);
      walk(c.loopCondition, inner, problems);
      walk(c.loopStep, inner, problems);
      walk(c.result, new Map([...scope, [c.accuVar, undefined]]), problems);
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Why the condition does not compile for these resource types, or undefined when it does. A type whose
 * fields are vendored (resource-fields.ts) also refuses a selection of a field it does not have.
 */
export function celProblem(condition: string, resourceTypes: readonly string[] = []): string | undefined {
  let expr: TNode;
  try {
    expr = parse(condition).expr;
  } catch (e) {
    return (e as Error).message;
  }
  const types = resourceTypes.length ? resourceTypes : [""];
  for (const rt of types) {
    const problems: string[] = [];
    walk(expr, new Map([["resource", RESOURCE_FIELDS.get(rt)]]), problems);
    if (problems[0])
      return rt && RESOURCE_FIELDS.has(rt) && problems[0].startsWith("undefined field") ? `${problems[0]} of ${rt}` : problems[0];
  }
  return undefined;
}
