import type { TAzureFragment, TAzurePolicyPart } from "./types.ts";

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

/**
 * A request as an audit-log entry shows it (impact replay): the resource's identity is always known,
 * its payload only when the entry logged the request body, and the resource group's tags never unless
 * someone looked them up. What is not known makes a condition *unknown* instead of false, so a rule
 * that depends on it is reported as unjudgeable rather than guessed.
 */
export interface TAzurePartialRequest {
  action: "write" | "delete";
  /** The ARM resource type (`Microsoft.Storage/storageAccounts`) and, when known, name and id. */
  identity: { type: string; name?: string; id?: string };
  /** The payload (request body); absent = not logged, so every other field is unknown. */
  resource?: Record<string, unknown>;
  /** The payload is a PATCH: fields it does not carry keep values the entry does not show. */
  patch?: boolean;
  /** Absent = unknown. */
  resourceGroupTags?: Record<string, string>;
  /**
   * Whether the resource supports location (Indexed mode evaluates only those). `undefined` = the
   * entry does not say (a delete carries no payload).
   */
  tracked?: boolean;
}

/** One policy's answer: it refuses, it lets the request pass, or it depends on what the entry lacks. */
export interface TAzurePolicyJudgement {
  referenceId: string;
  result: "refuses" | "passes" | "unknown";
  /** The fields / expressions whose values were needed but not known (aliases as the rule names them). */
  unknown: string[];
}

interface TEnv {
  req: TAzureRequest;
  params: Record<string, unknown>;
  current?: { prefix: string; element: unknown };
  /** Set for partial requests: the fields that are known without a payload, and where unknowns go. */
  partial?: { bodyKnown: boolean; patch: boolean; rgKnown: boolean; missing: Set<string> };
}

/** Kleene logic: `undefined` is "unknown". */
type TTri = boolean | undefined;
const IDENTITY_FIELDS = ["type", "name", "id", "fullname"];

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
function fieldValues(field: string, env: TEnv): { values: unknown[]; multi: boolean; unknown?: true } {
  if (env.current && lc(field).startsWith(lc(env.current.prefix))) {
    return walk(env.current.element, field.slice(env.current.prefix.length));
  }
  const unknown = (): { values: unknown[]; multi: boolean; unknown: true } => {
    env.partial?.missing.add(field);
    return { values: [], multi: false, unknown: true };
  };
  if (env.partial && !env.partial.bodyKnown && !IDENTITY_FIELDS.includes(lc(field))) return unknown();
  const got = payloadValues(field, env.req.resource);
  // A PATCH body holds only what changes: Azure Policy judges the merged resource, so an absent field is unknown.
  if (env.partial?.patch && !IDENTITY_FIELDS.includes(lc(field)) && got.values.every((v) => v === undefined)) return unknown();
  return got;
}

function payloadValues(field: string, r: Record<string, unknown>): { values: unknown[]; multi: boolean } {
  const tag = /^tags(?:\[['"](.+)['"]\]|\.(.+))$/i.exec(field);
  if (tag) return { values: [get(get(r, "tags"), tag[1] ?? tag[2] ?? "")], multi: false };
  if (["type", "location", "name", "kind", "id", "tags", "fullname"].includes(lc(field))) return { values: [get(r, field)], multi: false };
  const path = aliasPath(field, str(get(r, "type") ?? ""));
  if (path === undefined) return { values: [undefined], multi: false };
  const w = walk(r, path);
  return w.multi ? w : { values: [w.values[0]], multi: false };
}

/** A resolved value that is not known (a resource group tag nobody looked up). */
const UNKNOWN = Symbol("unknown");

/** Resolves ARM template expressions the compiled rules use; anything else throws. */
function resolve(v: unknown, env: TEnv): unknown {
  if (typeof v !== "string" || !v.startsWith("[") || v.startsWith("[[")) return v;
  const param = /^\[parameters\('([^']+)'\)\]$/i.exec(v);
  if (param) return env.params[param[1]!];
  const rgTag = /^\[resourceGroup\(\)\.tags\[['"]([^'"]+)['"]\]\]$/i.exec(v);
  if (rgTag) {
    if (env.partial && !env.partial.rgKnown) {
      env.partial.missing.add(`resourceGroup().tags['${rgTag[1]!}']`);
      return UNKNOWN;
    }
    return get(env.req.resourceGroupTags ?? {}, rgTag[1]!) ?? "";
  }
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

const and = (xs: TTri[]): TTri => (xs.includes(false) ? false : xs.includes(undefined) ? undefined : true);
const or = (xs: TTri[]): TTri => (xs.includes(true) ? true : xs.includes(undefined) ? undefined : false);

function matches(c: Record<string, unknown>, env: TEnv): TTri {
  // Every branch is evaluated (no short-circuit) so `missing` names everything a verdict would need.
  const all = get(c, "allOf");
  if (Array.isArray(all)) return and(all.map((x) => matches(x as Record<string, unknown>, env)));
  const any = get(c, "anyOf");
  if (Array.isArray(any)) return or(any.map((x) => matches(x as Record<string, unknown>, env)));
  const not = get(c, "not");
  if (not !== undefined) {
    const r = matches(not as Record<string, unknown>, env);
    return r === undefined ? undefined : !r;
  }
  const op = Object.keys(c).find((k) => !["field", "value", "count"].includes(lc(k)));
  if (!op) throw new Error(`condition without an operator: ${JSON.stringify(c)}`);
  const expected = resolve(c[op], env);
  const count = get(c, "count") as Record<string, unknown> | undefined;
  if (count) {
    const field = str(get(count, "field") ?? "");
    if (!field.endsWith("[*]")) throw new Error(`the scenario evaluator counts only [*] fields, not ${field}`);
    const { values, unknown } = fieldValues(field, env);
    if (unknown || expected === UNKNOWN) return undefined;
    const where = get(count, "where") as Record<string, unknown> | undefined;
    if (!where) return test(op, values.length, expected);
    const each = values.map((element) => matches(where, { ...env, current: { prefix: field, element } }));
    if (each.includes(undefined)) return undefined;
    return test(op, each.filter(Boolean).length, expected);
  }
  const field = get(c, "field");
  if (typeof field === "string") {
    const { values, multi, unknown } = fieldValues(field, env);
    if (unknown || expected === UNKNOWN) return undefined;
    return multi ? values.every((v) => test(op, v, expected)) : test(op, values[0], expected);
  }
  const value = resolve(get(c, "value"), env);
  if (value === UNKNOWN || expected === UNKNOWN) return undefined;
  return test(op, value, expected);
}

const CONTAINER_TYPES = ["microsoft.resources/subscriptions/resourcegroups", "microsoft.resources/subscriptions"];

/** Whether a policy's effect applies to the request's action at all (deny → writes, denyAction → deletes). */
function effectApplies(rule: TAzurePolicyPart["definition"]["properties"]["policyRule"], env: TEnv): boolean {
  const effect = lc(str(resolve(rule.then.effect, env)));
  return env.req.action === "write"
    ? effect === "deny"
    : effect === "denyaction" && [get(rule.then.details, "actionNames")].flat().some((a) => typeof a === "string" && lc(a) === "delete");
}

function paramsOf(part: TAzurePolicyPart): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(part.definition.properties.parameters ?? {}))
    params[k] = part.parameters[k]?.value ?? (d as { defaultValue?: unknown }).defaultValue;
  return params;
}

/** Which compiled policies refuse the request, by reference id. */
export function azureRefusals(fragment: TAzureFragment, req: TAzureRequest): string[] {
  const type = lc(str(get(req.resource, "type") ?? ""));
  const containerType = CONTAINER_TYPES.includes(type);
  const out: string[] = [];
  for (const part of fragment.policies) {
    const props = part.definition.properties;
    if (lc(props.mode) === "indexed" && (containerType || get(req.resource, "location") === undefined)) continue;
    const env: TEnv = { req, params: paramsOf(part) };
    if (effectApplies(props.policyRule, env) && matches(props.policyRule.if, env) === true) out.push(part.referenceId);
  }
  return out;
}

/**
 * Each policy of the fragment whose effect applies to the request's action, judged against what an
 * audit-log entry shows of the request (impact replay). Policies whose effect does not apply are left out.
 */
export function azureJudgeRequest(fragment: TAzureFragment, req: TAzurePartialRequest): TAzurePolicyJudgement[] {
  const resource: Record<string, unknown> = { ...(req.resource ?? {}) };
  // The entry's identity wins over the body: ARM takes type, name and id from the URL, not the payload.
  resource["type"] = req.identity.type;
  if (req.identity.name !== undefined) resource["name"] = req.identity.name;
  if (req.identity.id !== undefined) resource["id"] = req.identity.id;
  const full: TAzureRequest = {
    action: req.action,
    resource,
    ...(req.resourceGroupTags ? { resourceGroupTags: req.resourceGroupTags } : {}),
  };
  const containerType = CONTAINER_TYPES.includes(lc(req.identity.type));
  // A PUT body of a tracked resource carries its location; a PATCH need not.
  const tracked = req.tracked ?? (req.resource && !req.patch ? get(req.resource, "location") !== undefined : undefined);
  const out: TAzurePolicyJudgement[] = [];
  for (const part of fragment.policies) {
    const props = part.definition.properties;
    const missing = new Set<string>();
    const env: TEnv = {
      req: full,
      params: paramsOf(part),
      partial: { bodyKnown: req.resource !== undefined, patch: req.patch === true, rgKnown: req.resourceGroupTags !== undefined, missing },
    };
    if (!effectApplies(props.policyRule, env)) continue;
    if (lc(props.mode) === "indexed") {
      if (containerType || tracked === false) {
        out.push({ referenceId: part.referenceId, result: "passes", unknown: [] });
        continue;
      }
      if (tracked === undefined) missing.add("location (whether the resource type supports it, for Indexed mode)");
    }
    const r = matches(props.policyRule.if, env);
    // With Indexed mode and an unknown location, a matching rule still depends on the resource type.
    const result = r === false ? "passes" : r === true && (tracked !== undefined || lc(props.mode) !== "indexed") ? "refuses" : "unknown";
    out.push({ referenceId: part.referenceId, result, unknown: result === "unknown" ? [...missing].sort() : [] });
  }
  return out;
}
