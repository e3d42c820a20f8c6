/**
 * Pure GCP body logic: normalising what the SDKs return into the shapes of ./types.ts and merging
 * Parapet's org-policy rules into a customer's policy on the same constraint (comparison: compare.ts).
 *
 * Why the merge lives here: an org policy is a singleton per (node, constraint) that the customer may
 * already use, and the Org Policy API has no labels or annotations to mark who wrote which rule. Core
 * hands the adapter Parapet's rules only (desired state is computed before anything is read), so the
 * adapter merges them into whatever the cloud holds at write time, under the etag it just read, and
 * refuses with CUSTOMER_POLICY_CONFLICT when both cannot hold. The semantics (mergeOrgPolicy): boolean,
 * a customer `enforce: false` is never overwritten; list, denied values are unioned, allowed values
 * intersected, an empty intersection is a conflict. The merge is idempotent,
 * so bodies that arrive already merged are fine too.
 */
import { isObj } from "../common/json.ts";
import { canonicalJson } from "../contract/canonical.ts";
import { GCP_OWNER_LABEL_KEY } from "./markers.ts";
import type {
  TGcpCustomConstraint,
  TGcpDenyPolicy,
  TGcpDenyRule,
  TGcpExpr,
  TGcpMethodType,
  TGcpOrgPolicy,
  TGcpPolicyRule,
  TGcpPolicySpec,
} from "./types.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.length > 0) : []);
export const sortedSet = (xs: readonly string[]): string[] => [...new Set(xs)].sort();
const byCanonical = <T>(a: T, b: T): number => {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

// ---------------------------------------------------------------- normalisation

function normaliseExpr(v: unknown): TGcpExpr | undefined {
  if (!isObj(v)) return undefined;
  const expression = str(v.expression);
  if (!expression) return undefined;
  const e: TGcpExpr = { expression };
  const title = str(v.title);
  const description = str(v.description);
  if (title) e.title = title;
  if (description) e.description = description;
  return e;
}

/** One rule: list values sorted and deduplicated, unset/false oneof members and empty lists dropped. */
function normaliseRule(v: unknown): TGcpPolicyRule {
  const r: TGcpPolicyRule = {};
  if (!isObj(v)) return r;
  if (isObj(v.values)) {
    const allowed = sortedSet(strList(v.values.allowedValues));
    const denied = sortedSet(strList(v.values.deniedValues));
    if (allowed.length || denied.length) {
      r.values = {};
      if (allowed.length) r.values.allowedValues = allowed;
      if (denied.length) r.values.deniedValues = denied;
    }
  }
  if (v.allowAll === true) r.allowAll = true;
  if (v.denyAll === true) r.denyAll = true;
  if (typeof v.enforce === "boolean") r.enforce = v.enforce;
  const condition = normaliseExpr(v.condition);
  if (condition) r.condition = condition;
  return r;
}

/** A spec without server-set fields (etag, updateTime); rule order carries no meaning, so it is sorted. */
function normaliseSpec(v: unknown): TGcpPolicySpec | undefined {
  if (!isObj(v)) return undefined;
  const rules = (Array.isArray(v.rules) ? v.rules : []).map(normaliseRule);
  const uniq = new Map(rules.map((r) => [canonicalJson(r), r]));
  const s: TGcpPolicySpec = { rules: [...uniq.values()].sort(byCanonical) };
  if (v.inheritFromParent === true) s.inheritFromParent = true;
  if (v.reset === true) s.reset = true;
  return s;
}

export function normaliseOrgPolicy(v: unknown): TGcpOrgPolicy {
  const o = isObj(v) ? v : {};
  const p: TGcpOrgPolicy = { name: str(o.name) ?? "" };
  const spec = normaliseSpec(o.spec);
  const dry = normaliseSpec(o.dryRunSpec);
  if (spec) p.spec = spec;
  if (dry) p.dryRunSpec = dry;
  return p;
}

const METHOD_TYPES = ["METHOD_TYPE_UNSPECIFIED", "CREATE", "UPDATE", "DELETE", "REMOVE_GRANT", "GOVERN_TAGS"] as const;
const ACTION_TYPES = ["ACTION_TYPE_UNSPECIFIED", "ALLOW", "DENY"] as const;

function enumName(v: unknown, table: readonly string[]): string | undefined {
  if (typeof v === "number") return table[v];
  return typeof v === "string" ? v : undefined;
}

export function normaliseCustomConstraint(v: unknown): TGcpCustomConstraint {
  const o = isObj(v) ? v : {};
  const methods = (Array.isArray(o.methodTypes) ? o.methodTypes : [])
    .map((m) => enumName(m, METHOD_TYPES))
    .filter((m): m is TGcpMethodType => m !== undefined && m !== "METHOD_TYPE_UNSPECIFIED" && m !== "DELETE");
  const action = enumName(o.actionType, ACTION_TYPES);
  return {
    name: str(o.name) ?? "",
    resourceTypes: sortedSet(strList(o.resourceTypes)),
    methodTypes: sortedSet(methods) as TGcpMethodType[],
    condition: typeof o.condition === "string" ? o.condition : "",
    actionType: action === "ALLOW" ? "ALLOW" : "DENY",
    displayName: typeof o.displayName === "string" ? o.displayName : "",
    description: typeof o.description === "string" ? o.description : "",
  };
}

function normaliseDenyRule(v: unknown): TGcpDenyRule {
  const o = isObj(v) ? v : {};
  const r: TGcpDenyRule = {
    deniedPrincipals: sortedSet(strList(o.deniedPrincipals)),
    deniedPermissions: sortedSet(strList(o.deniedPermissions)),
  };
  const exP = sortedSet(strList(o.exceptionPrincipals));
  const exPerm = sortedSet(strList(o.exceptionPermissions));
  if (exP.length) r.exceptionPrincipals = exP;
  if (exPerm.length) r.exceptionPermissions = exPerm;
  const cond = normaliseExpr(o.denialCondition);
  if (cond) r.denialCondition = cond;
  return r;
}

/**
 * IAM v2 policies have `annotations` but no labels; Parapet's desired bodies carry the ownership
 * marker as `labels`, and the adapter writes labels and annotations into the one `annotations` map.
 * Both sides are normalised to: the marker key under `labels`, everything else under `annotations`.
 */
export function normaliseDenyPolicy(v: unknown): TGcpDenyPolicy {
  const o = isObj(v) ? v : {};
  const all: Record<string, string> = {};
  for (const src of [o.annotations, o.labels]) {
    if (isObj(src)) for (const [k, x] of Object.entries(src)) if (typeof x === "string") all[k] = x;
  }
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, x] of Object.entries(all)) (k === GCP_OWNER_LABEL_KEY ? labels : annotations)[k] = x;
  const rules = (Array.isArray(o.rules) ? o.rules : []).map((r) => {
    const ro = isObj(r) ? r : {};
    const out: TGcpDenyPolicy["rules"][number] = { denyRule: normaliseDenyRule(ro.denyRule) };
    const d = str(ro.description);
    if (d) out.description = d;
    return out;
  });
  const p: TGcpDenyPolicy = {
    name: str(o.name) ?? "",
    displayName: typeof o.displayName === "string" ? o.displayName : "",
    rules: rules.sort(byCanonical),
  };
  if (Object.keys(labels).length) p.labels = labels;
  if (Object.keys(annotations).length) p.annotations = annotations;
  return p;
}

/** The wire `annotations` map for a desired deny policy (marker labels folded in). */
export function denyPolicyAnnotations(p: TGcpDenyPolicy): Record<string, string> {
  return { ...(p.annotations ?? {}), ...(p.labels ?? {}) };
}

// ---------------------------------------------------------------- org policy merge

export type GcpMergeResult = { ok: true; policy: TGcpOrgPolicy } | { ok: false; reason: string };

export const unconditional = (rules: readonly TGcpPolicyRule[]) => rules.filter((r) => !r.condition);
export const conditional = (rules: readonly TGcpPolicyRule[]) => rules.filter((r) => r.condition);
export const isBooleanSpec = (s: TGcpPolicySpec) => s.rules.some((r) => r.enforce !== undefined);

function finishSpec(rules: TGcpPolicyRule[], inheritFromParent?: boolean): TGcpPolicySpec {
  const s = normaliseSpec({ rules }) ?? { rules: [] };
  if (inheritFromParent) s.inheritFromParent = true;
  return s;
}

function mergeSpec(constraint: string, base: TGcpPolicySpec | undefined, ours: TGcpPolicySpec): TGcpPolicySpec | string {
  if (!base) return ours;
  if (base.reset) {
    return `the customer's policy on ${constraint} resets it to Google's default; remove the reset before Parapet can add its rules`;
  }
  if (isBooleanSpec(ours)) {
    const off = base.rules.find((r) => r.enforce === false);
    if (off) {
      const where = off.condition ? ` for resources matching "${off.condition.expression}"` : "";
      return `the customer set enforce: false on ${constraint}${where}, the opposite of this guardrail`;
    }
    // Conditional rules must carry the opposite value of the unconditional one, so with `enforce: true`
    // everywhere the customer's remaining conditional rules are redundant and GCP would reject them.
    return finishSpec(ours.rules);
  }
  const theirs = unconditional(base.rules);
  const kept = conditional(base.rules);
  if (theirs.some((r) => r.denyAll)) return finishSpec(base.rules, base.inheritFromParent);
  if (unconditional(ours.rules).some((r) => r.denyAll)) return finishSpec([...kept, { denyAll: true }]);
  // A customer allowAll is the absence of a restriction: it gives way to Parapet's values.
  const theirAllowed = theirs.flatMap((r) => r.values?.allowedValues ?? []);
  const ourAllowed = ours.rules.flatMap((r) => r.values?.allowedValues ?? []);
  const denied = [...theirs, ...ours.rules].flatMap((r) => r.values?.deniedValues ?? []);
  let allowed: string[];
  if (theirAllowed.length && ourAllowed.length) {
    const ourSet = new Set(ourAllowed);
    allowed = theirAllowed.filter((v) => ourSet.has(v));
    if (!allowed.length) {
      return `on ${constraint} the customer allows [${sortedSet(theirAllowed).join(", ")}] and this guardrail allows [${sortedSet(ourAllowed).join(", ")}]; nothing satisfies both`;
    }
  } else {
    allowed = [...theirAllowed, ...ourAllowed];
  }
  const values: NonNullable<TGcpPolicyRule["values"]> = {};
  if (allowed.length) values.allowedValues = sortedSet(allowed);
  if (denied.length) values.deniedValues = sortedSet(denied);
  // Inheriting unions the parent's allowed values into this node's, which would loosen an allow list;
  // with denied values only, inheriting keeps the parent's denials and is kept.
  const inherit = base.inheritFromParent === true && !allowed.length;
  return finishSpec([...kept, ...(allowed.length || denied.length ? [{ values }] : [])], inherit);
}

/**
 * Parapet's rules merged into the customer's policy on the same node and constraint (or a conflict
 * naming why both cannot hold). `existing` undefined means the slot is free.
 */
export function mergeOrgPolicy(existing: TGcpOrgPolicy | undefined, ours: TGcpOrgPolicy): GcpMergeResult {
  const o = normaliseOrgPolicy(ours);
  if (!existing) return { ok: true, policy: o };
  const e = normaliseOrgPolicy(existing);
  const constraint = constraintOf(o.name);
  const merged: TGcpOrgPolicy = { name: o.name };
  if (o.spec) {
    const s = mergeSpec(constraint, e.spec, o.spec);
    if (typeof s === "string") return { ok: false, reason: s };
    merged.spec = s;
  } else if (e.spec) {
    merged.spec = e.spec;
  }
  if (o.dryRunSpec) {
    const s = mergeSpec(constraint, e.dryRunSpec ?? e.spec, o.dryRunSpec);
    if (typeof s === "string") return { ok: false, reason: s };
    merged.dryRunSpec = s;
  } else if (e.dryRunSpec) {
    merged.dryRunSpec = e.dryRunSpec;
  }
  return { ok: true, policy: merged };
}

// ---------------------------------------------------------------- taking Parapet's rules back

/**
 * One spec without the rules Parapet applied (`ours`). The merge is lossy (an allow list intersected,
 * a boolean the customer also enforced), so per rule shape:
 * - a rule identical to one of ours, or an unconditional `enforce`/`denyAll` where ours has one, is ours;
 * - denied values: ours are taken out, the rest stay;
 * - allowed values: equal to ours → ours; narrower or different → the customer's (an intersection
 *   with the customer's list), kept as they are, since dropping them would loosen the customer's policy;
 * - conditional rules and anything else: the customer's.
 * A value or rule the customer had identically to Parapet's cannot be told apart from it in the
 * cloud and goes with Parapet's. Undefined when nothing of the customer's is left in the spec.
 */
function subtractSpec(have: TGcpPolicySpec | undefined, ours: TGcpPolicySpec | undefined): TGcpPolicySpec | undefined {
  if (!have) return undefined;
  if (!ours || ours.rules.length === 0) return have;
  const ourRules = new Set(ours.rules.map((r) => canonicalJson(r)));
  const ourUncond = unconditional(ours.rules);
  const ourEnforce = ourUncond.some((r) => r.enforce !== undefined);
  const ourDenyAll = ourUncond.some((r) => r.denyAll);
  const ourAllowed = sortedSet(ourUncond.flatMap((r) => r.values?.allowedValues ?? []));
  const ourDenied = new Set(ourUncond.flatMap((r) => r.values?.deniedValues ?? []));
  const rules: TGcpPolicyRule[] = [];
  for (const r of have.rules) {
    if (ourRules.has(canonicalJson(r))) continue;
    if (r.condition) {
      rules.push(r);
      continue;
    }
    if (r.enforce !== undefined && ourEnforce) continue;
    if (r.denyAll && ourDenyAll) continue;
    if (r.values) {
      const allowedHave = r.values.allowedValues ?? [];
      const allowed = ourAllowed.length && canonicalJson(sortedSet(allowedHave)) === canonicalJson(ourAllowed) ? [] : allowedHave;
      const denied = (r.values.deniedValues ?? []).filter((v) => !ourDenied.has(v));
      if (allowed.length || denied.length) {
        rules.push({
          values: { ...(allowed.length ? { allowedValues: allowed } : {}), ...(denied.length ? { deniedValues: denied } : {}) },
        });
      }
      continue;
    }
    rules.push(r);
  }
  if (rules.length === 0 && !have.reset) return undefined;
  const out = finishSpec(rules, have.inheritFromParent);
  if (have.reset) out.reset = true;
  return out;
}

/**
 * What remains of a shared org policy once the rules Parapet last applied (`ours`, from Parapet's own
 * record) are taken out: the customer's part. Without `spec` and `dryRunSpec` nothing of anyone else
 * is left, and the policy may be deleted.
 */
export function withoutOurRules(current: TGcpOrgPolicy, ours: unknown): TGcpOrgPolicy {
  const c = normaliseOrgPolicy(current);
  const o = normaliseOrgPolicy(ours);
  const out: TGcpOrgPolicy = { name: c.name };
  const spec = subtractSpec(c.spec, o.spec);
  const dry = subtractSpec(c.dryRunSpec, o.dryRunSpec);
  if (spec) out.spec = spec;
  // Parapet's dry-run merge copies the customer's enforced rules into dryRunSpec (a dry run shows the
  // whole would-be policy); once Parapet's rules are out, that copy is Parapet's too.
  if (dry && !(o.dryRunSpec && spec && canonicalJson(dry) === canonicalJson(spec))) out.dryRunSpec = dry;
  return out;
}

export const isEmptyOrgPolicy = (p: TGcpOrgPolicy): boolean => !p.spec && !p.dryRunSpec;

// ---------------------------------------------------------------- names

/** `folders/1/policies/gcp.resourceLocations` → `gcp.resourceLocations`. */
export function constraintOf(policyName: string): string {
  const i = policyName.indexOf("/policies/");
  return i < 0 ? policyName : policyName.slice(i + "/policies/".length);
}

/** `folders/1/policies/x` → `folders/1`. */
export function nodeOfPolicy(policyName: string): string {
  const i = policyName.indexOf("/policies/");
  return i < 0 ? "" : policyName.slice(0, i);
}

/** `policies/cloudresourcemanager.googleapis.com%2Ffolders%2F1/denypolicies/x` → `folders/1`. */
export function nodeOfDenyPolicy(name: string): string {
  const m = /^policies\/([^/]+)\/denypolicies\/[^/]+$/.exec(name);
  if (!m) return "";
  let att = m[1] ?? "";
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(att); i++) att = decodeURIComponent(att);
  return att.replace(/^cloudresourcemanager\.googleapis\.com\//, "");
}

/** Canonical deny policy name (attachment point percent-encoded once), as core builds it. */
export function canonicalDenyPolicyName(name: string): string {
  const node = nodeOfDenyPolicy(name);
  const id = name.split("/").pop() ?? "";
  return node ? `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`)}/denypolicies/${id}` : name;
}
