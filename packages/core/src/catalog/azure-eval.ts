import type { TAzureFragment } from "./types.ts";

/**
 * A small evaluator of Azure Policy rules against an ARM resource payload, for scenarios: enough of
 * the policy language ("Azure Policy definition structure: policy rule") to decide the rules Parapet
 * compiles. Not a full engine: unsupported template functions throw, so a scenario can never pass by
 * accident.
 *
 * - Aliases resolve by ARM's convention `<Namespace>/<type>/<path>` → `properties.<path>` of a resource
 *   of that type; an alias of another type resolves to nothing (as in ARM, where it does not exist).
 * - A `[*]` alias outside `count` holds only if the condition holds for every element; inside
 *   `count.where`, fields under the counted array refer to the current element.
 * - Mode `Indexed` skips resources that support no location (e.g. extension resources) and resource
 *   groups and subscriptions, which only mode `All` evaluates.
 */
export interface TAzureRequest {
  /** `write` is a PUT/PATCH (deny); `delete` a DELETE (denyAction). */
  action: "write" | "delete";
  resource: Record<string, unknown>;
  /** Tags of the resource group the resource is in, for `resourceGroup().tags`. */
  resourceGroupTags?: Record<string, string>;
}

interface TEnv {
  req: TAzureRequest;
  params: Record<string, unknown>;
  current?: { prefix: string; element: unknown };
}

const lc = (s: string): string => s.toLowerCase();

function get(o: unknown, key: string): unknown {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (key in rec) return rec[key];
  const k = lc(key);
  for (const [name, v] of Object.entries(rec)) if (lc(name) === k) return v;
  return undefined;
}

/** Walks a dotted path with `[*]` segments; returns every value reached (arrays flattened at `[*]`). */
function walk(root: unknown, path: string): { values: unknown[]; multi: boolean } {
  let nodes: unknown[] = [root];
  let multi = false;
  for (const seg of path.split(".").filter(Boolean)) {
    const star = seg.endsWith("[*]");
    const name = star ? seg.slice(0, -3) : seg;
    nodes = nodes.map((n) => (name ? get(n, name) : n));
    if (star) {
      multi = true;
      nodes = nodes.flatMap((n): unknown[] => (Array.isArray(n) ? (n as unknown[]) : []));
    }
  }
  return { values: nodes, multi };
}

function aliasPath(alias: string, type: string): string | undefined {
  const prefix = `${lc(type)}/`;
  if (!lc(alias).startsWith(prefix)) return undefined;
  return `properties.${alias.slice(prefix.length)}`;
}

/** The values a `field` names: one value, or every element's value for a `[*]` alias. */
function fieldValues(field: string, env: TEnv): { values: unknown[]; multi: boolean } {
  const r = env.req.resource;
  if (env.current && lc(field).startsWith(lc(env.current.prefix))) {
    return walk(env.current.element, field.slice(env.current.prefix.length));
  }
  const tag = /^tags(?:\[['"](.+)['"]\]|\.(.+))$/i.exec(field);
  if (tag) return { values: [get(get(r, "tags"), tag[1] ?? tag[2] ?? "")], multi: false };
  if (["type", "location", "name", "kind", "id", "tags", "fullname"].includes(lc(field))) return { values: [get(r, field)], multi: false };
  const path = aliasPath(field, str(get(r, "type") ?? ""));
  if (path === undefined) return { values: [undefined], multi: false };
  const w = walk(r, path);
  return w.multi ? w : { values: [w.values[0]], multi: false };
}

/** Resolves ARM template expressions the compiled rules use; anything else throws. */
function resolve(v: unknown, env: TEnv): unknown {
  if (typeof v !== "string" || !v.startsWith("[") || v.startsWith("[[")) return v;
  const param = /^\[parameters\('([^']+)'\)\]$/i.exec(v);
  if (param) return env.params[param[1]!];
  const rgTag = /^\[resourceGroup\(\)\.tags\[['"]([^'"]+)['"]\]\]$/i.exec(v);
  if (rgTag) return get(env.req.resourceGroupTags ?? {}, rgTag[1]!) ?? "";
  throw new Error(`the scenario evaluator does not support the expression ${v}`);
}

const str = (x: unknown): string => (typeof x === "string" ? x : (JSON.stringify(x) ?? ""));
/** ARM compares strings case-insensitively and a boolean with its string form ("true"). */
const eq = (a: unknown, b: unknown): boolean =>
  a !== undefined && (typeof a === "string" || typeof b === "string" ? lc(str(a)) === lc(str(b)) : JSON.stringify(a) === JSON.stringify(b));
const likeRe = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );

function test(op: string, actual: unknown, expected: unknown): boolean {
  switch (lc(op)) {
    case "equals":
      return eq(actual, expected);
    case "notequals":
      return !eq(actual, expected);
    case "in":
      return Array.isArray(expected) && expected.some((e) => eq(actual, e));
    case "notin":
      return !(Array.isArray(expected) && expected.some((e) => eq(actual, e)));
    case "like":
      return typeof actual === "string" && likeRe(str(expected)).test(actual);
    case "notlike":
      return !(typeof actual === "string" && likeRe(str(expected)).test(actual));
    case "contains":
      return typeof actual === "string"
        ? lc(actual).includes(lc(str(expected)))
        : Array.isArray(actual) && actual.some((a) => eq(a, expected));
    case "notcontains":
      return !test("contains", actual, expected);
    case "containskey":
      return get(actual, str(expected)) !== undefined;
    case "notcontainskey":
      return get(actual, str(expected)) === undefined;
    case "exists": {
      const want = lc(String(expected)) === "true";
      return (actual !== undefined && actual !== null) === want;
    }
    case "greater":
      return Number(actual) > Number(expected);
    case "greaterorequals":
      return Number(actual) >= Number(expected);
    case "less":
      return Number(actual) < Number(expected);
    case "lessorequals":
      return Number(actual) <= Number(expected);
    default:
      throw new Error(`the scenario evaluator does not support the operator ${op}`);
  }
}

function matches(c: Record<string, unknown>, env: TEnv): boolean {
  const all = get(c, "allOf");
  if (Array.isArray(all)) return all.every((x) => matches(x as Record<string, unknown>, env));
  const any = get(c, "anyOf");
  if (Array.isArray(any)) return any.some((x) => matches(x as Record<string, unknown>, env));
  const not = get(c, "not");
  if (not !== undefined) return !matches(not as Record<string, unknown>, env);
  const op = Object.keys(c).find((k) => !["field", "value", "count"].includes(lc(k)));
  if (!op) throw new Error(`condition without an operator: ${JSON.stringify(c)}`);
  const expected = resolve(c[op], env);
  const count = get(c, "count") as Record<string, unknown> | undefined;
  if (count) {
    const field = str(get(count, "field") ?? "");
    if (!field.endsWith("[*]")) throw new Error(`the scenario evaluator counts only [*] fields, not ${field}`);
    const { values } = fieldValues(field, env);
    const where = get(count, "where") as Record<string, unknown> | undefined;
    const n = where ? values.filter((element) => matches(where, { ...env, current: { prefix: field, element } })).length : values.length;
    return test(op, n, expected);
  }
  const field = get(c, "field");
  if (typeof field === "string") {
    const { values, multi } = fieldValues(field, env);
    return multi ? values.every((v) => test(op, v, expected)) : test(op, values[0], expected);
  }
  return test(op, resolve(get(c, "value"), env), expected);
}

/** Which compiled policies refuse the request, by reference id. */
export function azureRefusals(fragment: TAzureFragment, req: TAzureRequest): string[] {
  const type = lc(str(get(req.resource, "type") ?? ""));
  const containerType = type === "microsoft.resources/subscriptions/resourcegroups" || type === "microsoft.resources/subscriptions";
  const out: string[] = [];
  for (const part of fragment.policies) {
    const props = part.definition.properties;
    if (lc(props.mode) === "indexed" && (containerType || get(req.resource, "location") === undefined)) continue;
    const params: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(props.parameters ?? {}))
      params[k] = part.parameters[k]?.value ?? (d as { defaultValue?: unknown }).defaultValue;
    const env: TEnv = { req, params };
    const rule = props.policyRule;
    const effect = lc(str(resolve(rule.then.effect, env)));
    const applies =
      req.action === "write"
        ? effect === "deny"
        : effect === "denyaction" &&
          [get(rule.then.details, "actionNames")].flat().some((a) => typeof a === "string" && lc(a) === "delete");
    if (applies && matches(rule.if, env)) out.push(part.referenceId);
  }
  return out;
}
