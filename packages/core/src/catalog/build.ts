import { azureArtifactName, azureAssignmentName, azureOwnerMetadata } from "@parapet/providers/azure/markers";
import { gcpConstraintSupportsDryRun } from "./compilers/gcp-dry-run.ts";
import {
  AZURE_LIMITS,
  type TAzurePolicyAssignment,
  type TAzurePolicyDefinition,
  type TAzurePolicySetDefinition,
} from "@parapet/providers/azure/types";
import { gcpDenyPolicyId, gcpOwnerLabels } from "@parapet/providers/gcp/markers";
import {
  GCP_LIMITS,
  type TGcpCustomConstraint,
  type TGcpDenyPolicy,
  type TGcpOrgPolicy,
  type TGcpPolicyRule,
  type TGcpPolicySpec,
} from "@parapet/providers/gcp/types";
import { ociArtifactName, ociOwnerTags } from "@parapet/providers/oci/markers";
import { OCI_LIMITS, type TOciIamPolicy } from "@parapet/providers/oci/types";
import { stableStringify } from "./canonical.ts";
import { renderOciStatement } from "./compilers/oci.ts";
import type { TAzureFragment, TGcpFragment, TOciFragment } from "./types.ts";

export class LimitError extends Error {
  constructor(
    readonly cloud: "azure" | "gcp" | "oci",
    readonly limit: string,
    readonly target: string,
    readonly value: number,
    readonly max: number,
    readonly guardrailIds: string[],
  ) {
    super(`${cloud}: ${target} needs ${value} ${limit} but the limit is ${max}; guardrails involved: ${guardrailIds.join(", ")}`);
    this.name = "LimitError";
  }
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------- Azure

export interface TAzureScopeArtifacts {
  scope: string;
  definitions: TAzurePolicyDefinition[];
  /** One per enforcement mode present at this scope (enforce and audit cannot share an assignment). */
  initiatives: TAzurePolicySetDefinition[];
  assignments: TAzurePolicyAssignment[];
}

/**
 * One initiative per scope (and per enforcement mode), referencing every Parapet definition that
 * applies there, plus its assignment. Definitions live at `definitionScope` (typically the root
 * management group) so every scope below can reference them.
 */
export function buildAzureInitiative(
  scope: string,
  fragments: readonly TAzureFragment[],
  opts: { workspaceId: string; definitionScope: string; notScopes?: readonly string[] },
): TAzureScopeArtifacts {
  const definitions = new Map<string, TAzurePolicyDefinition>();
  const initiatives: TAzurePolicySetDefinition[] = [];
  const assignments: TAzurePolicyAssignment[] = [];
  const notScopes = [...new Set(opts.notScopes ?? [])].sort(byString);
  if (notScopes.length > AZURE_LIMITS.notScopesPerAssignment) {
    throw new LimitError("azure", "notScopes", scope, notScopes.length, AZURE_LIMITS.notScopesPerAssignment, fragments.map((f) => f.guardrailId).sort(byString));
  }
  for (const mode of ["Default", "DoNotEnforce"] as const) {
    const inMode = fragments.filter((f) => f.enforcementMode === mode && f.policies.length > 0);
    if (inMode.length === 0) continue;
    const parts = inMode.flatMap((f) => f.policies).sort((a, b) => byString(a.referenceId, b.referenceId));
    const guardrailIds = [...new Set(inMode.map((f) => f.guardrailId))].sort(byString);
    if (parts.length > AZURE_LIMITS.policiesPerInitiative) {
      throw new LimitError("azure", "policies in one initiative", scope, parts.length, AZURE_LIMITS.policiesPerInitiative, guardrailIds);
    }
    for (const part of parts) definitions.set(part.definition.name, part.definition);
    const initiativeName = azureArtifactName(opts.workspaceId, `initiative|${scope}|${mode}`);
    const initiativeId = `/${opts.definitionScope.replace(/^\//, "")}/providers/Microsoft.Authorization/policySetDefinitions/${initiativeName}`;
    initiatives.push({
      name: initiativeName,
      properties: {
        policyType: "Custom",
        displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"}) for ${scope}`.slice(0, 128),
        description: `Guardrails: ${guardrailIds.join(", ")}`.slice(0, 512),
        metadata: { ...azureOwnerMetadata(opts.workspaceId), category: "Parapet" },
        parameters: {},
        policyDefinitions: parts.map((p) => ({
          policyDefinitionId: `/${opts.definitionScope.replace(/^\//, "")}/providers/Microsoft.Authorization/policyDefinitions/${p.definition.name}`,
          policyDefinitionReferenceId: p.referenceId,
          parameters: p.parameters,
        })),
      },
    });
    assignments.push({
      name: azureAssignmentName(opts.workspaceId, `${scope}|${mode}`),
      properties: {
        displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"})`,
        description: `Guardrails: ${guardrailIds.join(", ")}`.slice(0, 512),
        policyDefinitionId: initiativeId,
        enforcementMode: mode,
        notScopes,
        parameters: {},
        metadata: { ...azureOwnerMetadata(opts.workspaceId), parapetScope: scope },
      },
    });
  }
  return {
    scope,
    definitions: [...definitions.values()].sort((a, b) => byString(a.name, b.name)),
    initiatives,
    assignments,
  };
}

// ---------------------------------------------------------------- GCP

export interface TGcpNodeArtifacts {
  node: string;
  policies: TGcpOrgPolicy[];
  customConstraints: TGcpCustomConstraint[];
  denyPolicy?: TGcpDenyPolicy;
}

function ruleKey(r: TGcpPolicyRule): string {
  return stableStringify(r);
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
export function buildGcpNodeArtifacts(node: string, fragments: readonly TGcpFragment[], workspaceId: string): TGcpNodeArtifacts {
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
      rules: [...denyRules].sort((a, b) => byString(stableStringify(a), stableStringify(b))),
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

// ---------------------------------------------------------------- OCI

/**
 * OCI policies for one attachment compartment. `location` is how statements name the place they
 * apply to, relative to the attachment (`tenancy`, or `compartment <name>`). Split by the
 * 50-statements-per-policy limit; names are stable per compartment and chunk.
 */
export function buildOciPolicies(
  compartmentId: string,
  location: string,
  fragments: readonly TOciFragment[],
  workspaceId: string,
): TOciIamPolicy[] {
  const statements = [
    ...new Set(fragments.filter((f) => f.attach).flatMap((f) => f.statements.map((s) => renderOciStatement(s, location)))),
  ].sort(byString);
  const guardrails = [...new Set(fragments.filter((f) => f.attach && f.statements.length > 0).map((f) => f.guardrailId))].sort(byString);
  const out: TOciIamPolicy[] = [];
  for (let i = 0; i < statements.length; i += OCI_LIMITS.statementsPerPolicy) {
    const chunk = statements.slice(i, i + OCI_LIMITS.statementsPerPolicy);
    out.push({
      name: ociArtifactName(workspaceId, `${compartmentId}|${i / OCI_LIMITS.statementsPerPolicy}`),
      description: `Parapet guardrails: ${guardrails.join(", ")}`.slice(0, 400),
      compartmentId,
      statements: chunk,
      freeformTags: ociOwnerTags(workspaceId),
    });
  }
  return out;
}

/** Security-zone policy names a compartment's recipe must include (resolved to OCIDs by the provider). */
/**
 * Where a target's policies live and how their statements name it: attached to the target itself,
 * speaking of `tenancy` at the root and of `compartment id <ocid>` below. OCI policy names are unique
 * across the whole tenancy (CreatePolicyDetails.name in the Identity API), and the name is derived from
 * the attachment compartment, so every caller (reconcile, the CLI) must place policies through here or
 * two targets' policies collide with 409 PolicyAlreadyExists.
 */
export function buildOciPoliciesForTarget(
  target: { compartmentId: string; isRoot: boolean },
  fragments: readonly TOciFragment[],
  workspaceId: string,
): TOciIamPolicy[] {
  const location = target.isRoot ? "tenancy" : `compartment id ${target.compartmentId}`;
  return buildOciPolicies(target.compartmentId, location, fragments, workspaceId);
}

export function ociSecurityZonePolicyNames(fragments: readonly TOciFragment[]): string[] {
  return [...new Set(fragments.filter((f) => f.attach).flatMap((f) => f.securityZonePolicies))].sort(byString);
}
