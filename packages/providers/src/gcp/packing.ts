import { byString, LimitError } from "../common/limit-error.ts";
import { canonicalJson } from "../contract/canonical.ts";
import { gcpConstraintSupportsDryRun } from "./dry-run.ts";
import { gcpDenyPolicyId, gcpOwnerLabels } from "./markers.ts";
import {
  GCP_LIMITS,
  type TGcpCustomConstraint,
  type TGcpDenyPolicy,
  type TGcpDenyRule,
  type TGcpOrgPolicy,
  type TGcpPolicyRule,
} from "./types.ts";

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
      throw new LimitError(
        "gcp",
        "bytes in one policy",
        policy.name,
        bytes,
        GCP_LIMITS.policyBytes,
        fragments.map((x) => x.guardrailId).sort(byString),
      );
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
      throw new LimitError(
        "gcp",
        "rules in one deny policy",
        node,
        denyRules.length,
        GCP_LIMITS.denyRulesPerPolicy,
        [...denyGuardrails].sort(byString),
      );
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
