import { isObj } from "../common/json.ts";
import { canonicalJson } from "../contract/canonical.ts";
import type { DesiredArtifact, Difference, ObservedArtifact } from "../contract/types.ts";
import type { GcpContext } from "./context.ts";
import {
  canonicalDenyPolicyName,
  conditional,
  constraintOf,
  isBooleanSpec,
  mergeOrgPolicy,
  normaliseCustomConstraint,
  normaliseDenyPolicy,
  normaliseOrgPolicy,
  sortedSet,
  unconditional,
} from "./policy.ts";
import type { TGcpDenyPolicy, TGcpDenyRule, TGcpOrgPolicy, TGcpPolicySpec } from "./types.ts";

/**
 * Desired vs observed GCP bodies, field by field: `weakened` when the cloud now protects less than
 * Parapet asked for, `modified` for any other difference.
 */

function specWeakness(label: string, d: TGcpPolicySpec, o: TGcpPolicySpec): string | undefined {
  if (o.reset) return `${label} was reset to Google's default`;
  if (isBooleanSpec(d)) {
    const want = unconditional(d.rules).find((r) => r.enforce !== undefined)?.enforce;
    const have = unconditional(o.rules).find((r) => r.enforce !== undefined)?.enforce;
    if (want === true && have !== true) return `${label}: enforcement turned off`;
    if (want === true) {
      const exception = conditional(o.rules).find((r) => r.enforce === false);
      if (exception) return `${label}: exception added for resources matching "${exception.condition?.expression ?? ""}"`;
    }
    return undefined;
  }
  const du = unconditional(d.rules);
  const ou = unconditional(o.rules);
  const oDenyAll = ou.some((r) => r.denyAll);
  if (du.some((r) => r.denyAll)) return oDenyAll ? undefined : `${label}: deny-all removed`;
  if (oDenyAll) return undefined;
  const wantAllowed = new Set(du.flatMap((r) => r.values?.allowedValues ?? []));
  const haveAllowed = ou.flatMap((r) => r.values?.allowedValues ?? []);
  if (wantAllowed.size) {
    if (ou.some((r) => r.allowAll)) return `${label}: allow-all added`;
    if (!haveAllowed.length) return `${label}: allowed-values restriction removed`;
    const extra = sortedSet(haveAllowed.filter((v) => !wantAllowed.has(v)));
    if (extra.length) return `${label}: allowed values added: ${extra.join(", ")}`;
    if (o.inheritFromParent && !d.inheritFromParent) return `${label}: now inherits (and unions) the parent's allowed values`;
  }
  const haveDenied = new Set(ou.flatMap((r) => r.values?.deniedValues ?? []));
  const lost = sortedSet(du.flatMap((r) => r.values?.deniedValues ?? []).filter((v) => !haveDenied.has(v)));
  if (lost.length) return `${label}: denied values removed: ${lost.join(", ")}`;
  return undefined;
}

/** Why `o` protects less than `d` asks for, or undefined when every desired restriction still holds. */
function orgPolicyWeakness(d: TGcpOrgPolicy, o: TGcpOrgPolicy): string | undefined {
  if (d.spec) {
    if (!o.spec) return o.dryRunSpec ? "enforcement moved to dry-run only" : "the enforced spec was removed";
    const w = specWeakness("spec", d.spec, o.spec);
    if (w) return w;
  }
  if (d.dryRunSpec) {
    if (!o.dryRunSpec) return "the dry-run spec was removed";
    const w = specWeakness("dry-run spec", d.dryRunSpec, o.dryRunSpec);
    if (w) return w;
  }
  return undefined;
}

function describeDiff(a: unknown, b: unknown, path = ""): string {
  if (canonicalJson(a) === canonicalJson(b)) return "";
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = describeDiff(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || "body"} differs`;
}

/**
 * `wholeOwned`: the policy is on a Parapet custom constraint, so every rule in it is Parapet's and the
 * desired body must match exactly. Otherwise the slot is shared: the observed policy is equal when
 * merging Parapet's rules into it would change nothing (the customer's compatible rules are not drift).
 */
export function compareOrgPolicy(desired: unknown, observed: unknown, wholeOwned: boolean): Difference {
  const d = normaliseOrgPolicy(desired);
  const o = normaliseOrgPolicy(observed);
  let target: TGcpOrgPolicy = d;
  if (!wholeOwned) {
    const m = mergeOrgPolicy(o, d);
    if (!m.ok) return { equal: false, kind: "weakened", detail: m.reason };
    target = m.policy;
  }
  const a = { spec: target.spec, dryRunSpec: target.dryRunSpec };
  const b = { spec: o.spec, dryRunSpec: o.dryRunSpec };
  if (canonicalJson(a) === canonicalJson(b)) return { equal: true };
  const weak = orgPolicyWeakness(d, o);
  if (weak) return { equal: false, kind: "weakened", detail: weak };
  return { equal: false, kind: "modified", detail: describeDiff(a, b) };
}

export function compareCustomConstraint(desired: unknown, observed: unknown): Difference {
  const d = normaliseCustomConstraint(desired);
  const o = normaliseCustomConstraint(observed);
  if (canonicalJson(d) === canonicalJson(o)) return { equal: true };
  if (d.actionType !== o.actionType)
    return { equal: false, kind: "weakened", detail: `actionType changed from ${d.actionType} to ${o.actionType}` };
  const lostMethods = d.methodTypes.filter((m) => !o.methodTypes.includes(m));
  if (lostMethods.length) return { equal: false, kind: "weakened", detail: `methodTypes removed: ${lostMethods.join(", ")}` };
  const lostTypes = d.resourceTypes.filter((t) => !o.resourceTypes.includes(t));
  if (lostTypes.length) return { equal: false, kind: "weakened", detail: `resourceTypes removed: ${lostTypes.join(", ")}` };
  return { equal: false, kind: "modified", detail: describeDiff(d, o) };
}

const subset = (a: readonly string[] = [], b: readonly string[] = []) => a.every((x) => b.includes(x));

/** True when observed rule `o` denies at least what desired rule `d` denies, to at least the same principals. */
function atLeastAsStrict(d: TGcpDenyRule, o: TGcpDenyRule): boolean {
  return (
    subset(d.deniedPrincipals, o.deniedPrincipals) &&
    subset(d.deniedPermissions, o.deniedPermissions) &&
    subset(o.exceptionPrincipals, d.exceptionPrincipals) &&
    subset(o.exceptionPermissions, d.exceptionPermissions) &&
    (o.denialCondition === undefined || canonicalJson(o.denialCondition) === canonicalJson(d.denialCondition))
  );
}

export function compareDenyPolicy(desired: unknown, observed: unknown): Difference {
  const d = normaliseDenyPolicy(desired);
  const o = normaliseDenyPolicy(observed);
  const strip = (p: TGcpDenyPolicy) => ({ ...p, name: canonicalDenyPolicyName(p.name) });
  if (canonicalJson(strip(d)) === canonicalJson(strip(o))) return { equal: true };
  for (const r of d.rules) {
    if (!o.rules.some((x) => atLeastAsStrict(r.denyRule, x.denyRule))) {
      const what = r.description ? `"${r.description}"` : `denying ${r.denyRule.deniedPermissions.slice(0, 3).join(", ")}`;
      return { equal: false, kind: "weakened", detail: `rule ${what} was removed or narrowed` };
    }
  }
  return { equal: false, kind: "modified", detail: describeDiff(strip(d), strip(o)) };
}

export function compareGcpArtifact(ctx: GcpContext, desired: DesiredArtifact, observed: ObservedArtifact): Difference {
  switch (desired.kind) {
    case "gcp.org-policy":
      return compareOrgPolicy(desired.body, observed.body, ctx.isWholeOwnedConstraint(constraintOf(desired.name)));
    case "gcp.custom-constraint":
      return compareCustomConstraint(desired.body, observed.body);
    case "gcp.deny-policy":
      return compareDenyPolicy(desired.body, observed.body);
    default:
      return canonicalJson(desired.body) === canonicalJson(observed.body)
        ? { equal: true }
        : { equal: false, kind: "modified", detail: `${desired.kind} is not a GCP artifact kind` };
  }
}
