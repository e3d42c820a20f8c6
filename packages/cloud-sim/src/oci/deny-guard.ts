import { evaluateOciDeny, type OciRequestPrincipal } from "./authorize.ts";
import { notFound } from "./errors.ts";
import type { OciPolicy } from "./model.ts";
import type { StatementLocation } from "./statements.ts";

/**
 * The tenancy's deny-policy guard. Enabling IAM deny policies in the Console (and answering Yes to the
 * default policy) creates a root policy that only lets the enabling administrator and the default
 * Administrators group write deny statements:
 *
 *   deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='<enabler>'}
 *
 * (docs.oracle.com/iaas/Content/Identity/policysyntax/denypolicies.htm). The Console shows the policy
 * but the docs do not give its name; the simulator calls it DENY_GUARD_POLICY_NAME, and Parapet finds
 * the guard by its statement, never by name.
 *
 * What OCI answers when a deny statement refuses a policy write is not documented; the simulator answers
 * what OCI answers for every authorization failure, 404 NotAuthorizedOrNotFound "Authorization failed or
 * requested resource not found." (Content/API/References/apierrors.htm).
 */
export const DENY_GUARD_POLICY_NAME = "IAM Deny Policy";

export function denyGuardStatement(enablerId: string, alsoExempt: readonly string[] = []): string {
  const exempt = [enablerId, ...alsoExempt].map((id) => `request.principal.id!='${id}'`).join(", ");
  return `deny any-user to manage policies in tenancy where all {target.policy.type='deny', ${exempt}}`;
}

/** The policy-type set of a policy body: `allow` and/or `deny` (admit/endorse count as allow). */
function policyTypes(statements: readonly string[]): string[] {
  const types = new Set<string>();
  for (const s of statements) types.add(/^\s*deny\b/i.test(s) ? "deny" : "allow");
  return [...types].sort();
}

export interface GuardContext {
  policies: Iterable<OciPolicy>;
  principal: OciRequestPrincipal;
  /** The compartment the written policy is attached to. */
  compartmentId: string;
  /** Whether a statement's location (in the policy `owner`) covers `compartmentId`. */
  covers(owner: OciPolicy, loc: StatementLocation, compartmentId: string): boolean;
}

const PERMISSION: Record<string, string> = { CreatePolicy: "POLICY_CREATE", UpdatePolicy: "POLICY_UPDATE", DeletePolicy: "POLICY_DELETE" };

/**
 * Refuses a policy create/update/delete that a deny statement in the tenancy forbids, exactly as the
 * guard above is evaluated: `target.policy.type` is the set of statement types of the policy being
 * written (for an update, before and after; for a delete, the policy as it is).
 */
export function checkPolicyWrite(ctx: GuardContext, operation: string, statements: readonly string[]): void {
  const req = {
    principal: ctx.principal,
    verb: "manage" as const,
    resourceTypes: ["policies"],
    permission: PERMISSION[operation],
    operation,
    target: { "target.policy.type": policyTypes(statements), "target.compartment.id": ctx.compartmentId },
  };
  for (const p of ctx.policies) {
    if (p.lifecycleState !== "ACTIVE") continue;
    const d = evaluateOciDeny(p.statements, req, (loc) => ctx.covers(p, loc, ctx.compartmentId));
    if (d.denied) throw notFound();
  }
}
