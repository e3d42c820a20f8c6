import { gcpCustomConstraintId } from "@parapet/providers/gcp/markers";
import type { TGcpCustomConstraint, TGcpDenyRule, TGcpExpr, TGcpPolicyRule } from "@parapet/providers/gcp/types";
import type { TCompileContext, TGcpConstraintPart, TGcpFragment } from "../types.ts";

type TCtx = TCompileContext<"gcp">;

export const GCP_ALL_PRINCIPALS = "principalSet://goog/public:all";

/** Connector and break-glass identities, and this guardrail's exempt principals: the exceptionPrincipals of every deny rule. */
export function gcpExempt(ctx: TCtx): string[] {
  return [...new Set([...ctx.principals.connector, ...ctx.principals.breakGlass, ...ctx.exemptPrincipals])].sort();
}

export function gcpDenyRule(
  ctx: TCtx,
  spec: { description: string; principals: readonly string[] | "all"; permissions: string[]; condition?: TGcpExpr },
): { description: string; denyRule: TGcpDenyRule }[] {
  const denied = spec.principals === "all" ? [GCP_ALL_PRINCIPALS] : [...new Set(spec.principals)].sort();
  // An empty principal class selects nobody; emitting a rule would be invalid (deniedPrincipals is required).
  if (denied.length === 0) return [];
  return [
    {
      description: spec.description,
      denyRule: {
        deniedPrincipals: denied,
        exceptionPrincipals: gcpExempt(ctx),
        deniedPermissions: [...new Set(spec.permissions)].sort(),
        ...(spec.condition ? { denialCondition: spec.condition } : {}),
      },
    },
  ];
}

export function gcpCustomConstraint(ctx: TCtx, spec: Omit<TGcpCustomConstraint, "name"> & { slug: string }): TGcpCustomConstraint {
  const { slug, ...rest } = spec;
  if (rest.condition.length > 1000) throw new Error(`custom constraint ${slug}: CEL condition exceeds 1,000 characters`);
  return {
    name: `organizations/${ctx.facts.organizationId}/customConstraints/${gcpCustomConstraintId(ctx.workspaceId, slug)}`,
    ...rest,
    resourceTypes: [...rest.resourceTypes].sort(),
    methodTypes: [...rest.methodTypes].sort(),
  };
}

export const enforceRule: TGcpPolicyRule = { enforce: true };

export function gcpFragment(
  ctx: TCtx,
  parts: { orgPolicies?: TGcpConstraintPart[]; customConstraints?: TGcpCustomConstraint[]; denyRules?: TGcpFragment["denyRules"] },
): TGcpFragment {
  return {
    cloud: "gcp",
    guardrailId: ctx.guardrail.id,
    dryRun: ctx.mode === "audit",
    orgPolicies: [...(parts.orgPolicies ?? [])].sort((a, b) => (a.constraint < b.constraint ? -1 : 1)),
    customConstraints: [...(parts.customConstraints ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)),
    attachDenyRules: ctx.mode === "enforce",
    denyRules: parts.denyRules ?? [],
  };
}
