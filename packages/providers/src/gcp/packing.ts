import { byString, LimitError } from "../common/limit-error.ts";
import { canonicalJson } from "../contract/canonical.ts";
import { gcpConstraintSupportsDryRun } from "./dry-run.ts";
import { gcpDenyPolicyId, gcpOwnerLabels } from "./markers.ts";
import { GCP_LIMITS, type TGcpCustomConstraint, type TGcpDenyPolicy, type TGcpDenyRule, type TGcpOrgPolicy, type TGcpPolicyRule, type TGcpPolicySpec } from "./types.ts";

/**
 * GCP packing: the org-policy rules, custom constraints and deny rules compiled for the guardrails at
 * one node become that node's org policies (one per constraint), custom constraints and one deny
 * policy, within the Org Policy and IAM v2 limits.
 */

/** Rules a guardrail sets on one constraint. */
export interface TGcpConstraintPart {
  /** e.g. `gcp.resourceLocations` or a custom constraint's `custom.…` id. */
  constraint: string;
  rules: TGcpPolicyRule[];
}

/** What packing needs of a guardrail's compiled GCP fragment. */
export interface TGcpPackFragment {
  guardrailId: string;
  /** Rules go to `dryRunSpec` instead of `spec` (audit mode). */
  dryRun: boolean;
  orgPolicies: readonly TGcpConstraintPart[];
  customConstraints: readonly TGcpCustomConstraint[];
  /** False in audit mode (deny policies have no dry run). */
  attachDenyRules: boolean;
  denyRules: readonly { description: string; denyRule: TGcpDenyRule }[];
}

export interface TGcpNodeArtifacts {
  node: string;
  policies: TGcpOrgPolicy[];
  customConstraints: TGcpCustomConstraint[];
  denyPolicy?: TGcpDenyPolicy;
}

function ruleKey(r: TGcpPolicyRule): string {
  return canonicalJson(r);
}

/** Union of rules by content, with list values sorted; deterministic. */
function combineRules(rules: TGcpPolicyRule[]): TGcpPolicyRule[] {
  const seen = new Map<string, TGcpPolicyRule>();
  for (const r of rules) {
    const norm: TGcpPolicyRule = r.values
      ? {
          ...r,
          values: {
            ...(r.values.allowedValues ? { allowedValues: [...new Set(r.values.allowedValues)].sort(byString) } : {}),
            ...(r.values.deniedValues ? { deniedValues: [...new Set(r.values.deniedValues)].sort(byString) } : {}),
          },
        }
      : r;
    seen.set(ruleKey(norm), norm);
  }
  return [...seen.entries()].sort(([a], [b]) => byString(a, b)).map(([, r]) => r);
}

/**
 * Parapet's desired artifacts for one node (`organizations/1`, `folders/2`, `projects/3`): one
 * policy per constraint (enforce rules in `spec`, audit rules in `dryRunSpec`), the custom
 * constraints they need, and one deny policy holding every attachable deny rule.
 */
export function buildGcpNodeArtifacts(node: string, fragments: readonly TGcpPackFragment[], workspaceId: string): TGcpNodeArtifacts {
  const live = new Map<string, TGcpPolicyRule[]>();
  const dry = new Map<string, TGcpPolicyRule[]>();
  const constraints = new Map<string, TGcpCustomConstraint>();
  const denyRules: TGcpDenyPolicy["rules"] = [];
  const denyGuardrails = new Set<string>();
  for (const f of fragments) {
    for (const part of f.orgPolicies) {
      // Audit mode on a constraint that takes no dry-run policy: compiled (the preview shows it), not
      // attached — GCP refuses the write (compilers/gcp-dry-run.ts).
      if (f.dryRun && !gcpConstraintSupportsDryRun(part.constraint)) continue;
      const target = f.dryRun ? dry : live;
      target.set(part.constraint, [...(target.get(part.constraint) ?? []), ...part.rules]);
    }
    for (const c of f.customConstraints) constraints.set(c.name, c);
    if (f.attachDenyRules && f.denyRules.length > 0) {
      denyRules.push(...f.denyRules);
      denyGuardrails.add(f.guardrailId);
    }
  }
  const names = [...new Set([...live.keys(), ...dry.keys()])].sort(byString);
  const policies: TGcpOrgPolicy[] = names.map((constraint) => {
    const l = live.get(constraint);
    const d = dry.get(constraint);
    const policy: TGcpOrgPolicy = { name: `${node}/policies/${constraint}` };
    if (l) policy.spec = { rules: combineRules(l) };
    if (d) policy.dryRunSpec = { rules: combineRules([...(l ?? []), ...d]) };
    const bytes = Buffer.byteLength(JSON.stringify(policy));
    if (bytes > GCP_LIMITS.policyBytes) {
      throw new LimitError("gcp", "bytes in one policy", policy.name, bytes, GCP_LIMITS.policyBytes, fragments.map((x) => x.guardrailId).sort(byString));
    }
    return policy;
  });
  const result: TGcpNodeArtifacts = {
    node,
    policies,
    customConstraints: [...constraints.values()].sort((a, b) => byString(a.name, b.name)),
  };
  if (denyRules.length > 0) {
    if (denyRules.length > GCP_LIMITS.denyRulesPerPolicy) {
      throw new LimitError("gcp", "rules in one deny policy", node, denyRules.length, GCP_LIMITS.denyRulesPerPolicy, [...denyGuardrails].sort(byString));
    }
    const attachment = encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`);
    result.denyPolicy = {
      name: `policies/${attachment}/denypolicies/${gcpDenyPolicyId(workspaceId, node)}`,
      displayName: "Parapet guardrails",
      labels: gcpOwnerLabels(workspaceId),
      rules: [...denyRules].sort((a, b) => byString(canonicalJson(a), canonicalJson(b))),
    };
  }
  return result;
}

export type TGcpMergeResult =
  | { ok: true; policy: TGcpOrgPolicy }
  | { ok: false; conflict: { constraint: string; reason: string } };

function mergeSpec(constraint: string, existing: TGcpPolicySpec | undefined, ours: TGcpPolicySpec): TGcpMergeResult | TGcpPolicySpec {
  const base = existing ?? { rules: [] };
  if (base.reset) {
    return { ok: false, conflict: { constraint, reason: "the customer's policy resets this constraint to Google's default; remove the reset before Parapet can add its rules" } };
  }
  const isBoolean = ours.rules.some((r) => r.enforce !== undefined);
  if (isBoolean) {
    const weakening = base.rules.find((r) => r.enforce === false);
    if (weakening) {
      const where = weakening.condition ? ` for resources matching "${weakening.condition.expression}"` : "";
      return { ok: false, conflict: { constraint, reason: `the customer set enforce: false${where}, the opposite of this guardrail` } };
    }
    return { ...(base.etag ? { etag: base.etag } : {}), ...(base.inheritFromParent !== undefined ? { inheritFromParent: base.inheritFromParent } : {}), rules: combineRules([...base.rules.filter((r) => r.condition), ...ours.rules]) };
  }
  // List constraint: unconditional values merge; the intersection of allow lists keeps both intents.
  const customerUncond = base.rules.filter((r) => !r.condition);
  const conditional = base.rules.filter((r) => r.condition);
  // A customer allowAll is the absence of a restriction: it is dropped below and ours applies.
  if (customerUncond.some((r) => r.denyAll)) {
    return { ...(base.etag ? { etag: base.etag } : {}), rules: combineRules(base.rules) };
  }
  const oursDenyAll = ours.rules.some((r) => r.denyAll);
  if (oursDenyAll) return { ...(base.etag ? { etag: base.etag } : {}), rules: combineRules([...conditional, { denyAll: true }]) };
  const theirAllowed = customerUncond.flatMap((r) => r.values?.allowedValues ?? []);
  const ourAllowed = ours.rules.flatMap((r) => r.values?.allowedValues ?? []);
  const denied = [...customerUncond, ...ours.rules].flatMap((r) => r.values?.deniedValues ?? []);
  let allowed: string[] = [];
  if (theirAllowed.length > 0 && ourAllowed.length > 0) {
    const ourSet = new Set(ourAllowed);
    allowed = [...new Set(theirAllowed.filter((v) => ourSet.has(v)))];
    if (allowed.length === 0) {
      return {
        ok: false,
        conflict: {
          constraint,
          reason: `the customer allows [${[...new Set(theirAllowed)].sort(byString).join(", ")}] and this guardrail allows [${[...new Set(ourAllowed)].sort(byString).join(", ")}]; nothing satisfies both`,
        },
      };
    }
  } else {
    allowed = [...new Set([...theirAllowed, ...ourAllowed])];
  }
  const values: TGcpPolicyRule["values"] = {
    ...(allowed.length > 0 ? { allowedValues: allowed.sort(byString) } : {}),
    ...(denied.length > 0 ? { deniedValues: [...new Set(denied)].sort(byString) } : {}),
  };
  return { ...(base.etag ? { etag: base.etag } : {}), rules: combineRules([...conditional, { values }]) };
}

/**
 * Merges Parapet's rules into a policy the customer already has on the same node and constraint.
 * Boolean constraints: a customer `enforce: false` (even conditional) is a conflict, never overwritten.
 * List constraints: denied values are unioned, allowed values intersected; an empty intersection is a conflict.
 */
export function mergeGcpPolicy(existing: TGcpOrgPolicy | undefined, ours: TGcpOrgPolicy): TGcpMergeResult {
  if (!existing) return { ok: true, policy: ours };
  const constraint = ours.name.split("/policies/").pop() ?? ours.name;
  const merged: TGcpOrgPolicy = { name: ours.name, ...(existing.etag ? { etag: existing.etag } : {}) };
  if (ours.spec) {
    const r = mergeSpec(constraint, existing.spec, ours.spec);
    if ("ok" in r) return r;
    merged.spec = r;
  } else if (existing.spec) {
    merged.spec = existing.spec;
  }
  if (ours.dryRunSpec) {
    const r = mergeSpec(constraint, existing.dryRunSpec ?? existing.spec, ours.dryRunSpec);
    if ("ok" in r) return r;
    merged.dryRunSpec = r;
  } else if (existing.dryRunSpec) {
    merged.dryRunSpec = existing.dryRunSpec;
  }
  return { ok: true, policy: merged };
}
