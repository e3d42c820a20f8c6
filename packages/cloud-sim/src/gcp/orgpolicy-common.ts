import { BUILTIN_BY_ID } from "./constraints.ts";
import { type Ctx, type GcpCore, authorize, CRM } from "./core.ts";
import { permissionDenied } from "./errors.ts";
import type { OrgPolicy, PolicyRule, PolicySpec } from "./model.ts";
import type { Json } from "./wire.ts";

// What every Org Policy part shares: the service's names and enums, what a constraint allows, the
// container a request names, and a policy's wire form.

export const SERVICE = "orgpolicy.googleapis.com";
export const M = "google.cloud.orgpolicy.v2.OrgPolicy.";
export const CONSTRAINT_DEFAULT = ["CONSTRAINT_DEFAULT_UNSPECIFIED", "ALLOW", "DENY"] as const;
export const METHOD_TYPES = ["METHOD_TYPE_UNSPECIFIED", "CREATE", "UPDATE", "DELETE", "REMOVE_GRANT", "GOVERN_TAGS"] as const;
export const ACTION_TYPES = ["ACTION_TYPE_UNSPECIFIED", "ALLOW", "DENY"] as const;

/** What policy validation and evaluation need to know about a constraint. */
export interface ConstraintInfo {
  id: string;
  kind: "list" | "boolean";
  constraintDefault: "ALLOW" | "DENY";
  supportsIn: boolean;
  supportsUnder: boolean;
  supportsDryRun: boolean;
}

export function constraintInfo(core: GcpCore, id: string): ConstraintInfo | undefined {
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
export function container(ctx: Ctx, kind: string | undefined, id: string | undefined, permission: string): string {
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
