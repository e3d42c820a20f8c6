import { celProblem } from "./cel.ts";
import { BUILTIN_BY_ID, BUILTIN_CONSTRAINTS } from "./constraints.ts";
import { type Ctx, type GcpCore, authorize, CRM } from "./core.ts";
import { aborted, alreadyExists, GcpError, invalid, notFound, permissionDenied } from "./errors.ts";
import {
  type CustomConstraint,
  type Expr,
  type MethodType,
  type OrgPolicy,
  type PolicyRule,
  type PolicySpec,
  newEtag,
  now,
} from "./model.ts";
import { type Json, enumIn, enumOut, obj, optBool, optStr, paginate, strArr, withToken } from "./wire.ts";

const SERVICE = "orgpolicy.googleapis.com";
const M = "google.cloud.orgpolicy.v2.OrgPolicy.";
const CONSTRAINT_DEFAULT = ["CONSTRAINT_DEFAULT_UNSPECIFIED", "ALLOW", "DENY"] as const;
const METHOD_TYPES = ["METHOD_TYPE_UNSPECIFIED", "CREATE", "UPDATE", "DELETE", "REMOVE_GRANT", "GOVERN_TAGS"] as const;
const ACTION_TYPES = ["ACTION_TYPE_UNSPECIFIED", "ALLOW", "DENY"] as const;

/** What policy validation and evaluation need to know about a constraint. */
interface ConstraintInfo {
  id: string;
  kind: "list" | "boolean";
  constraintDefault: "ALLOW" | "DENY";
  supportsIn: boolean;
  supportsUnder: boolean;
  supportsDryRun: boolean;
}

function constraintInfo(core: GcpCore, id: string): ConstraintInfo | undefined {
  if (id.startsWith("custom.")) {
    return core.state.customConstraints.has(`${core.state.org.id}|${id}`)
      ? { id, kind: "boolean", constraintDefault: "ALLOW", supportsIn: false, supportsUnder: false, supportsDryRun: true }
      : undefined;
  }
  const b = BUILTIN_BY_ID.get(id);
  return b
    ? {
        id,
        kind: b.kind,
        constraintDefault: b.constraintDefault,
        supportsIn: b.supportsIn ?? false,
        supportsUnder: b.supportsUnder ?? false,
        supportsDryRun: b.supportsDryRun,
      }
    : undefined;
}

/** Resolves `{kind}/{id}` from the path, answering 403 like Google when the container does not exist. */
function container(ctx: Ctx, kind: string | undefined, id: string | undefined, permission: string): string {
  const shown = `${CRM}${kind ?? ""}/${id ?? ""}`;
  authorize(ctx, permission, shown);
  const name = kind && id ? ctx.core.state.canonicalContainer(kind, id) : undefined;
  if (!name) throw permissionDenied(permission, shown);
  return name;
}

// ---------------------------------------------------------------- wire form

function specWire(s: PolicySpec): Json {
  const out: Json = { etag: s.etag, updateTime: s.updateTime, rules: s.rules.map(ruleWire) };
  if (s.inheritFromParent) out.inheritFromParent = true;
  if (s.reset) out.reset = true;
  return out;
}

function ruleWire(r: PolicyRule): Json {
  const out: Json = {};
  if (r.values) {
    const v: Json = {};
    if (r.values.allowedValues?.length) v.allowedValues = r.values.allowedValues;
    if (r.values.deniedValues?.length) v.deniedValues = r.values.deniedValues;
    out.values = v;
  }
  if (r.allowAll !== undefined) out.allowAll = r.allowAll;
  if (r.denyAll !== undefined) out.denyAll = r.denyAll;
  if (r.enforce !== undefined) out.enforce = r.enforce;
  if (r.condition) out.condition = r.condition;
  return out;
}

export function policyWire(p: OrgPolicy): Json {
  const out: Json = { name: `${p.resource}/policies/${p.constraint}` };
  if (p.spec) out.spec = specWire(p.spec);
  if (p.dryRunSpec) out.dryRunSpec = specWire(p.dryRunSpec);
  out.etag = p.etag;
  return out;
}

// ---------------------------------------------------------------- validation

interface ParsedSpec {
  etag?: string;
  rules: PolicyRule[];
  inheritFromParent: boolean;
  reset: boolean;
}

function parseExpr(v: unknown, field: string): Expr | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  const e: Expr = {};
  for (const k of ["expression", "title", "description", "location"] as const) {
    const s = optStr(o, k, `${field}.${k}`);
    if (s) e[k] = s;
  }
  return e;
}

function parseSpec(v: unknown, field: string, c: ConstraintInfo, limits: { rulesPerPolicy: number }): ParsedSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  const rulesRaw = o.rules ?? [];
  if (!Array.isArray(rulesRaw)) throw invalid(`Invalid value at '${field}.rules': expected a list.`, `${field}.rules`);
  const spec: ParsedSpec = {
    etag: optStr(o, "etag", `${field}.etag`),
    inheritFromParent: optBool(o, "inheritFromParent", `${field}.inherit_from_parent`) ?? false,
    reset: optBool(o, "reset", `${field}.reset`) ?? false,
    rules: [],
  };
  if (rulesRaw.length > limits.rulesPerPolicy) {
    throw invalid(`${field}.rules: at most ${limits.rulesPerPolicy} rules are allowed, got ${rulesRaw.length}.`, `${field}.rules`);
  }
  rulesRaw.forEach((raw, i) => {
    const rf = `${field}.rules[${i}]`;
    const r = obj(raw, rf);
    const rule: PolicyRule = {};
    const kinds: string[] = [];
    if (r.values !== undefined && r.values !== null) {
      const vo = obj(r.values, `${rf}.values`);
      rule.values = {
        allowedValues: strArr(vo, "allowedValues", `${rf}.values.allowed_values`),
        deniedValues: strArr(vo, "deniedValues", `${rf}.values.denied_values`),
      };
      kinds.push("values");
    }
    for (const k of ["allowAll", "denyAll", "enforce"] as const) {
      const b = optBool(r, k, `${rf}.${k}`);
      if (b !== undefined) {
        rule[k] = b;
        kinds.push(k);
      }
    }
    if (kinds.length > 1) throw invalid(`${rf}: only one of values, allow_all, deny_all, enforce may be set.`, rf);
    const cond = parseExpr(r.condition, `${rf}.condition`);
    if (cond) {
      if (!cond.expression) throw invalid(`${rf}.condition.expression must not be empty.`, `${rf}.condition.expression`);
      rule.condition = cond;
    }
    if (c.kind === "boolean") {
      if (rule.enforce === undefined) {
        throw invalid(`${rf}: policies for boolean constraint ${c.id} must set 'enforce'.`, rf);
      }
    } else {
      if (rule.enforce !== undefined) {
        throw invalid(`${rf}: 'enforce' can only be set for boolean constraints; ${c.id} is a list constraint.`, rf);
      }
      if (kinds.length === 0) throw invalid(`${rf}: one of values, allow_all or deny_all must be set.`, rf);
      if (rule.values) {
        const all = [...(rule.values.allowedValues ?? []), ...(rule.values.deniedValues ?? [])];
        if (all.length === 0) throw invalid(`${rf}.values: at least one allowed or denied value is required.`, `${rf}.values`);
        for (const val of all) {
          if (val.startsWith("under:") && !c.supportsUnder) {
            throw invalid(`${rf}.values: constraint ${c.id} does not support 'under:' values ("${val}").`, `${rf}.values`);
          }
          if (val.startsWith("in:") && !c.supportsIn) {
            throw invalid(`${rf}.values: constraint ${c.id} does not support 'in:' value groups ("${val}").`, `${rf}.values`);
          }
          if (val.length === 0 || val.length > 1000) throw invalid(`${rf}.values: invalid value "${val}".`, `${rf}.values`);
        }
      }
    }
    spec.rules.push(rule);
  });
  if (spec.reset && (spec.rules.length > 0 || spec.inheritFromParent)) {
    throw invalid(`${field}: when 'reset' is true, 'rules' must be empty and 'inherit_from_parent' must be false.`, field);
  }
  if (c.kind === "boolean") {
    if (spec.inheritFromParent) {
      throw invalid(`${field}: 'inherit_from_parent' can only be set for list constraints; ${c.id} is a boolean constraint.`, `${field}.inherit_from_parent`);
    }
    if (!spec.reset) {
      const unconditional = spec.rules.filter((r) => !r.condition);
      if (unconditional.length !== 1) {
        throw invalid(`${field}: a boolean policy must have exactly one rule without a condition.`, `${field}.rules`);
      }
      const base = unconditional[0]?.enforce;
      if (spec.rules.some((r) => r.condition && r.enforce === base)) {
        throw invalid(`${field}: conditional rules must set 'enforce' to the opposite of the unconditional rule.`, `${field}.rules`);
      }
    }
  }
  return spec;
}

function materialize(p: ParsedSpec, t: string, key: string): PolicySpec {
  return { etag: newEtag(key), updateTime: t, rules: p.rules, inheritFromParent: p.inheritFromParent, reset: p.reset };
}

/**
 * GCP takes a dry-run policy only on constraints that support it (custom and managed constraints, and a
 * short list Google keeps): "Attempting to create an organization policy in dry-run mode using any other
 * constraint results in an error" —
 * https://cloud.google.com/resource-manager/docs/organization-policy/dry-run-policy#limitations. The
 * error is an INVALID_ARGUMENT on the request's `policy.dry_run_spec`; Google's exact wording was not
 * recorded from a real org, so the message here is ours and names the field and the constraint.
 */
function refuseDryRun(c: ConstraintInfo): void {
  if (c.supportsDryRun) return;
  throw invalid(
    `Constraint constraints/${c.id} does not support dry-run policies; dry_run_spec can be set only for custom constraints and constraints that support dry run.`,
    "policy.dry_run_spec",
  );
}

/** Splits `{kind}/{id}/policies/{constraint}` (kind may use a project id) into canonical parts. */
function parsePolicyName(core: GcpCore, name: string): { resource: string; constraint: string } | undefined {
  const m = /^(organizations|folders|projects)\/([^/]+)\/policies\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  const resource = core.state.canonicalContainer(m[1] ?? "", m[2] ?? "");
  return resource ? { resource, constraint: m[3] ?? "" } : undefined;
}

function checkSize(core: GcpCore, p: OrgPolicy): void {
  const size = Buffer.byteLength(JSON.stringify(policyWire(p)));
  if (size > core.limits.policyBytes) {
    throw invalid(`Policy size ${size} bytes exceeds the maximum of ${core.limits.policyBytes} bytes.`, "policy");
  }
}

/**
 * Validates a policy body and builds the stored policy. `previous` keeps fields an update mask leaves
 * untouched.
 */
function buildPolicy(
  core: GcpCore,
  resource: string,
  constraintId: string,
  body: Json,
  previous: OrgPolicy | undefined,
  mask: Set<string> | undefined,
): { policy: OrgPolicy; requestedSpecEtag?: string; requestedDryEtag?: string } {
  const c = constraintInfo(core, constraintId);
  if (!c) throw notFound(`Constraint constraints/${constraintId} was not found.`);
  const spec = parseSpec(body.spec, "policy.spec", c, core.limits);
  const dry = parseSpec(body.dryRunSpec, "policy.dry_run_spec", c, core.limits);
  const t = now();
  const key = `${resource}/${constraintId}`;
  const takeSpec = !mask || mask.has("spec");
  const takeDry = !mask || mask.has("dry_run_spec") || mask.has("dryRunSpec");
  if (dry && takeDry) refuseDryRun(c);
  const policy: OrgPolicy = {
    resource,
    constraint: constraintId,
    spec: takeSpec ? (spec ? materialize(spec, t, key) : undefined) : previous?.spec,
    dryRunSpec: takeDry ? (dry ? materialize(dry, t, key + "dry") : undefined) : previous?.dryRunSpec,
    etag: newEtag(key),
  };
  if (!policy.spec && !policy.dryRunSpec) {
    throw invalid("policy: at least one of 'spec' or 'dry_run_spec' must be set.", "policy.spec");
  }
  checkSize(core, policy);
  return { policy, requestedSpecEtag: spec?.etag, requestedDryEtag: dry?.etag };
}

function parseMask(q: URLSearchParams): Set<string> | undefined {
  const m = q.get("updateMask");
  if (!m) return undefined;
  const paths = new Set(m.split(",").map((s) => s.trim()).filter(Boolean));
  for (const p of paths) {
    if (!["spec", "dry_run_spec", "dryRunSpec", "etag"].includes(p)) {
      throw invalid(`update_mask: unsupported field path "${p}".`, "update_mask");
    }
  }
  return paths;
}

// ---------------------------------------------------------------- effective policy

type ListState = { kind: "allowAll" } | { kind: "denyAll" } | { kind: "values"; allowed: Set<string>; denied: Set<string> };

/**
 * Hierarchy evaluation, root first: a policy without inheritance replaces what is above, `reset` goes
 * back to the constraint default, list values merge (union of allowed and of denied values) when
 * inheriting, and for boolean constraints the lowest policy wins. Rules with conditions depend on tags
 * the simulator does not evaluate, so only unconditional rules take part.
 */
export function effectivePolicy(core: GcpCore, resource: string, constraintId: string): Json {
  const c = constraintInfo(core, constraintId);
  if (!c) throw notFound(`Constraint constraints/${constraintId} was not found.`);
  const chain = core.state.ancestry(resource);
  const name = `${resource}/policies/${constraintId}`;
  if (c.kind === "boolean") {
    let enforce = c.constraintDefault === "DENY";
    for (const node of chain) {
      const s = core.state.getPolicy(node, constraintId)?.spec;
      if (!s) continue;
      if (s.reset) enforce = c.constraintDefault === "DENY";
      else {
        const r = s.rules.find((x) => !x.condition);
        if (r?.enforce !== undefined) enforce = r.enforce;
      }
    }
    return { name, spec: { rules: [{ enforce }] } };
  }
  const dflt = (): ListState => (c.constraintDefault === "ALLOW" ? { kind: "allowAll" } : { kind: "denyAll" });
  let st: ListState = dflt();
  for (const node of chain) {
    const s = core.state.getPolicy(node, constraintId)?.spec;
    if (!s) continue;
    if (s.reset) {
      st = dflt();
      continue;
    }
    const rules = s.rules.filter((r) => !r.condition);
    if (rules.some((r) => r.denyAll)) {
      st = { kind: "denyAll" };
      continue;
    }
    if (rules.some((r) => r.allowAll)) {
      st = { kind: "allowAll" };
      continue;
    }
    const allowed = new Set<string>();
    const denied = new Set<string>();
    for (const r of rules) {
      for (const v of r.values?.allowedValues ?? []) allowed.add(v);
      for (const v of r.values?.deniedValues ?? []) denied.add(v);
    }
    if (s.inheritFromParent && st.kind === "values") {
      for (const v of st.allowed) allowed.add(v);
      for (const v of st.denied) denied.add(v);
    }
    if (rules.length === 0 && s.inheritFromParent) continue;
    st = { kind: "values", allowed, denied };
  }
  let rule: Json;
  if (st.kind === "allowAll") rule = { allowAll: true };
  else if (st.kind === "denyAll") rule = { denyAll: true };
  else {
    const values: Json = {};
    if (st.allowed.size) values.allowedValues = [...st.allowed].sort();
    if (st.denied.size) values.deniedValues = [...st.denied].sort();
    rule = { values };
  }
  return { name, spec: { rules: [rule] } };
}

// ---------------------------------------------------------------- handlers

export function listConstraints(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.constraints.list");
  const core = ctx.core;
  const all: Json[] = BUILTIN_CONSTRAINTS.map((b) => ({
    name: `${parent}/constraints/${b.id}`,
    displayName: b.displayName,
    description: b.description,
    constraintDefault: enumOut(ctx.intEnums, CONSTRAINT_DEFAULT, b.constraintDefault),
    ...(b.kind === "list"
      ? { listConstraint: { ...(b.supportsIn ? { supportsIn: true } : {}), ...(b.supportsUnder ? { supportsUnder: true } : {}) } }
      : { booleanConstraint: {} }),
    supportsDryRun: b.supportsDryRun,
  }));
  const customs = [...core.state.customConstraints.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const cc of customs) {
    all.push({
      name: `${parent}/constraints/${cc.id}`,
      displayName: cc.displayName,
      description: cc.description,
      constraintDefault: enumOut(ctx.intEnums, CONSTRAINT_DEFAULT, "ALLOW"),
      booleanConstraint: {},
      supportsDryRun: true,
    });
  }
  const page = paginate(all, ctx.query, `constraints:${parent}`, core.limits);
  return withToken({ constraints: page.items }, page.nextPageToken);
}

export function listPolicies(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.policies.list");
  const st = ctx.core.state;
  const constraints = [...(st.policiesByResource.get(parent) ?? [])].sort();
  const all = constraints.map((c) => st.getPolicy(parent, c)).filter((p): p is OrgPolicy => !!p);
  const page = paginate(all, ctx.query, `policies:${parent}`, ctx.core.limits);
  return withToken({ policies: page.items.map(policyWire) }, page.nextPageToken);
}

export function getPolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policy.get");
  const p = ctx.core.state.getPolicy(resource, constraint ?? "");
  if (!p) throw notFound(`Requested entity was not found.`);
  return policyWire(p);
}

export function getEffectivePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policy.get");
  return effectivePolicy(ctx.core, resource, constraint ?? "");
}

export function createPolicy(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.policies.create");
  const core = ctx.core;
  const body = obj(ctx.body, "policy");
  const name = optStr(body, "name", "policy.name");
  if (!name) throw invalid("policy.name is required.", "policy.name");
  const parsed = parsePolicyName(core, name);
  if (!parsed || parsed.resource !== parent) {
    throw invalid(`policy.name "${name}" must be a policy of ${kind ?? ""}/${id ?? ""}.`, "policy.name");
  }
  if (core.state.getPolicy(parent, parsed.constraint)) throw alreadyExists(`Policy ${name} already exists.`);
  const { policy } = buildPolicy(core, parent, parsed.constraint, body, undefined, undefined);
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + "CreatePolicy",
    resourceName: `${parent}/policies/${parsed.constraint}`,
    container: parent,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.create",
    request: { parent, policy: body },
    response: wire,
  });
  return wire;
}

export function updatePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policies.update");
  const core = ctx.core;
  const cid = constraint ?? "";
  const body = obj(ctx.body, "policy");
  const prev = core.state.getPolicy(resource, cid);
  if (!constraintInfo(core, cid)) throw notFound(`Constraint constraints/${cid} was not found.`);
  if (!prev) throw notFound(`Requested entity was not found.`);
  const mask = parseMask(ctx.query);
  const { policy, requestedSpecEtag, requestedDryEtag } = buildPolicy(core, resource, cid, body, prev, mask);
  const topEtag = optStr(body, "etag", "policy.etag");
  if (
    (topEtag && topEtag !== prev.etag) ||
    (requestedSpecEtag && requestedSpecEtag !== prev.spec?.etag) ||
    (requestedDryEtag && requestedDryEtag !== prev.dryRunSpec?.etag)
  ) {
    throw aborted("The etag supplied in the request does not match the persisted etag of the policy.");
  }
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + "UpdatePolicy",
    resourceName: `${resource}/policies/${cid}`,
    container: resource,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.update",
    request: { policy: { ...body, name: `${resource}/policies/${cid}` } },
    response: wire,
  });
  return wire;
}

export function deletePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policies.delete");
  const core = ctx.core;
  const cid = constraint ?? "";
  const prev = core.state.getPolicy(resource, cid);
  if (!prev) throw notFound(`Requested entity was not found.`);
  const etag = ctx.query.get("etag");
  if (etag && etag !== prev.etag) {
    throw aborted("The etag supplied in the request does not match the persisted etag of the policy.");
  }
  core.state.deletePolicy(resource, cid);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "DeletePolicy",
    resourceName: `${resource}/policies/${cid}`,
    container: resource,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.delete",
    request: { name: `${resource}/policies/${cid}` },
  });
  return {};
}

// ---------------------------------------------------------------- custom constraints

const CC_ID = /^custom\.[A-Za-z0-9]+$/;
const RESOURCE_TYPE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com\/[A-Z][A-Za-z0-9]*$/;

export function customConstraintWire(c: CustomConstraint, intEnums: boolean): Json {
  return {
    name: `organizations/${c.orgId}/customConstraints/${c.id}`,
    resourceTypes: c.resourceTypes,
    methodTypes: c.methodTypes.map((m) => enumOut(intEnums, METHOD_TYPES, m)),
    condition: c.condition,
    actionType: enumOut(intEnums, ACTION_TYPES, c.actionType),
    ...(c.displayName ? { displayName: c.displayName } : {}),
    ...(c.description ? { description: c.description } : {}),
    updateTime: c.updateTime,
  };
}

function orgOnly(ctx: Ctx, orgId: string | undefined, permission: string): string {
  const shown = `${CRM}organizations/${orgId ?? ""}`;
  authorize(ctx, permission, shown);
  if (orgId !== ctx.core.state.org.id) throw permissionDenied(permission, shown);
  return orgId;
}

function parseCustomConstraint(ctx: Ctx, orgId: string, body: Json, prev: CustomConstraint | undefined): CustomConstraint {
  const f = "custom_constraint";
  const name = optStr(body, "name", `${f}.name`);
  const prefix = `organizations/${orgId}/customConstraints/`;
  const id = prev ? prev.id : name?.startsWith(prefix) ? name.slice(prefix.length) : undefined;
  if (!id || !CC_ID.test(id) || id.length > 70) {
    throw invalid(`${f}.name must be ${prefix}custom.<alphanumeric id, at most 70 characters>, got "${name ?? ""}".`, `${f}.name`);
  }
  const resourceTypes = strArr(body, "resourceTypes", `${f}.resource_types`);
  if (resourceTypes.length === 0) throw invalid(`${f}.resource_types is required.`, `${f}.resource_types`);
  for (const rt of resourceTypes) {
    if (!RESOURCE_TYPE.test(rt)) throw invalid(`${f}.resource_types: "${rt}" is not of the form service.googleapis.com/Type.`, `${f}.resource_types`);
  }
  if (prev && JSON.stringify([...prev.resourceTypes].sort()) !== JSON.stringify([...resourceTypes].sort())) {
    throw invalid(`${f}.resource_types is immutable.`, `${f}.resource_types`);
  }
  const rawMethods = body.methodTypes ?? [];
  if (!Array.isArray(rawMethods)) throw invalid(`${f}.method_types must be a list.`, `${f}.method_types`);
  const methodTypes = rawMethods.map((m, i) => enumIn(m, METHOD_TYPES, `${f}.method_types[${i}]`) as MethodType | "METHOD_TYPE_UNSPECIFIED");
  if (methodTypes.length === 0 || methodTypes.includes("METHOD_TYPE_UNSPECIFIED")) {
    throw invalid(`${f}.method_types must list at least one of CREATE, UPDATE, REMOVE_GRANT, GOVERN_TAGS.`, `${f}.method_types`);
  }
  if (methodTypes.includes("DELETE")) throw invalid(`${f}.method_types: DELETE is not supported.`, `${f}.method_types`);
  if (methodTypes.includes("UPDATE") && !methodTypes.includes("CREATE")) {
    throw invalid(`${f}.method_types: UPDATE-only custom constraints are not supported; use CREATE or CREATE, UPDATE.`, `${f}.method_types`);
  }
  const condition = optStr(body, "condition", `${f}.condition`) ?? "";
  if (!condition.trim()) throw invalid(`${f}.condition is required.`, `${f}.condition`);
  if (condition.length > ctx.core.limits.customConstraintConditionChars) {
    throw invalid(
      `${f}.condition is ${condition.length} characters; the maximum is ${ctx.core.limits.customConstraintConditionChars}.`,
      `${f}.condition`,
    );
  }
  if (!/\bresource\./.test(condition)) throw invalid(`${f}.condition must be a CEL expression over 'resource'.`, `${f}.condition`);
  // Organization Policy compiles the condition on write and refuses one that does not compile.
  const problem = celProblem(condition, resourceTypes);
  if (problem) throw invalid(`${f}.condition is not a valid CEL expression: ${problem}`, `${f}.condition`);
  const actionType = enumIn(body.actionType, ACTION_TYPES, `${f}.action_type`);
  if (!actionType || actionType === "ACTION_TYPE_UNSPECIFIED") throw invalid(`${f}.action_type must be ALLOW or DENY.`, `${f}.action_type`);
  const displayName = optStr(body, "displayName", `${f}.display_name`) ?? "";
  if (displayName.length > 200) throw invalid(`${f}.display_name exceeds 200 characters.`, `${f}.display_name`);
  const description = optStr(body, "description", `${f}.description`) ?? "";
  if (description.length > 2000) throw invalid(`${f}.description exceeds 2000 characters.`, `${f}.description`);
  return {
    orgId,
    id,
    resourceTypes,
    methodTypes: [...new Set(methodTypes)] as MethodType[],
    condition,
    actionType: actionType as "ALLOW" | "DENY",
    displayName,
    description,
    updateTime: now(),
  };
}

export function createCustomConstraint(ctx: Ctx, orgId?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.create");
  const core = ctx.core;
  const body = obj(ctx.body, "custom_constraint");
  const cc = parseCustomConstraint(ctx, org, body, undefined);
  const key = `${org}|${cc.id}`;
  if (core.state.customConstraints.has(key)) throw alreadyExists(`Custom constraint organizations/${org}/customConstraints/${cc.id} already exists.`);
  for (const rt of cc.resourceTypes) {
    let n = 0;
    for (const other of core.state.customConstraints.values()) if (other.resourceTypes.includes(rt)) n++;
    if (n >= core.limits.customConstraintsPerResourceType) {
      throw new GcpError(
        "FAILED_PRECONDITION",
        `The organization already has ${n} custom constraints for resource type ${rt}; the limit is ${core.limits.customConstraintsPerResourceType}.`,
      );
    }
  }
  core.state.customConstraints.set(key, cc);
  core.changed();
  const wire = customConstraintWire(cc, false);
  core.audit({
    service: SERVICE,
    methodName: M + "CreateCustomConstraint",
    resourceName: wire.name as string,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.create",
    request: body,
    response: wire,
  });
  return customConstraintWire(cc, ctx.intEnums);
}

function findCustom(ctx: Ctx, org: string, id: string | undefined): CustomConstraint {
  const cc = ctx.core.state.customConstraints.get(`${org}|${id ?? ""}`);
  if (!cc) throw notFound(`Custom constraint organizations/${org}/customConstraints/${id ?? ""} was not found.`);
  return cc;
}

export function getCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.get");
  return customConstraintWire(findCustom(ctx, org, id), ctx.intEnums);
}

export function listCustomConstraints(ctx: Ctx, orgId?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.list");
  const all = [...ctx.core.state.customConstraints.values()].filter((c) => c.orgId === org).sort((a, b) => a.id.localeCompare(b.id));
  const page = paginate(all, ctx.query, `custom:${org}`, ctx.core.limits);
  return withToken({ customConstraints: page.items.map((c) => customConstraintWire(c, ctx.intEnums)) }, page.nextPageToken);
}

export function updateCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.update");
  const prev = findCustom(ctx, org, id);
  const body = obj(ctx.body, "custom_constraint");
  const cc = parseCustomConstraint(ctx, org, body, prev);
  ctx.core.state.customConstraints.set(`${org}|${cc.id}`, cc);
  ctx.core.changed();
  const wire = customConstraintWire(cc, false);
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "UpdateCustomConstraint",
    resourceName: wire.name as string,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.update",
    request: body,
    response: wire,
  });
  return customConstraintWire(cc, ctx.intEnums);
}

export function deleteCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.delete");
  const cc = findCustom(ctx, org, id);
  ctx.core.state.customConstraints.delete(`${org}|${cc.id}`);
  ctx.core.changed();
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "DeleteCustomConstraint",
    resourceName: `organizations/${org}/customConstraints/${cc.id}`,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.delete",
  });
  return {};
}

// ---------------------------------------------------------------- out-of-band (human) changes

/** Creates or replaces a policy as a person in the console would (no etag check). */
export function adminPutPolicy(core: GcpCore, name: string, body: Json, actor: string): Json {
  const parsed = parsePolicyName(core, name);
  if (!parsed) throw invalid(`Unknown policy name "${name}".`, "name");
  const prev = core.state.getPolicy(parsed.resource, parsed.constraint);
  const { policy } = buildPolicy(core, parsed.resource, parsed.constraint, body, prev, undefined);
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + (prev ? "UpdatePolicy" : "CreatePolicy"),
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: prev ? "orgpolicy.policies.update" : "orgpolicy.policies.create",
    request: { policy: body },
    response: wire,
  });
  return wire;
}

export function adminDeletePolicy(core: GcpCore, name: string, actor: string): void {
  const parsed = parsePolicyName(core, name);
  if (!parsed || !core.state.getPolicy(parsed.resource, parsed.constraint)) throw notFound(`Policy ${name} was not found.`);
  core.state.deletePolicy(parsed.resource, parsed.constraint);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "DeletePolicy",
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: "orgpolicy.policies.delete",
  });
}

/** A person switching a policy to dry-run only: the live spec moves to dryRunSpec and stops enforcing. */
export function adminDryRunOnly(core: GcpCore, name: string, actor: string): Json {
  const parsed = parsePolicyName(core, name);
  const prev = parsed ? core.state.getPolicy(parsed.resource, parsed.constraint) : undefined;
  if (!parsed || !prev) throw notFound(`Policy ${name} was not found.`);
  if (!prev.spec) return policyWire(prev);
  // A person in the console meets the same refusal as the API.
  const c = constraintInfo(core, parsed.constraint);
  if (c) refuseDryRun(c);
  const t = now();
  const moved: typeof prev = {
    ...prev,
    spec: undefined,
    dryRunSpec: { ...prev.spec, etag: newEtag(name + "dry"), updateTime: t },
    etag: newEtag(name),
  };
  core.state.putPolicy(moved);
  core.changed();
  const wire = policyWire(moved);
  core.audit({
    service: SERVICE,
    methodName: M + "UpdatePolicy",
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: "orgpolicy.policies.update",
    response: wire,
  });
  return wire;
}

