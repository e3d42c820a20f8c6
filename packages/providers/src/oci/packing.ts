import { byString } from "../common/limit-error.ts";
import { ociArtifactName, ociOwnerTags } from "./markers.ts";
import { OCI_LIMITS, type TOciIamPolicy } from "./types.ts";

/**
 * OCI packing: the statements compiled for the guardrails at one compartment become Parapet's IAM
 * policies there, split at OCI's statements-per-policy limit, plus the security zone policy names
 * that compartment's recipe needs.
 */

/** An OCI statement without its location; rendered per attachment compartment. */
export interface TOciStatementPart {
  /** e.g. `deny dynamic-group parapet-agents to manage object-family`. */
  head: string;
  /** Conditions without the `where` keyword, e.g. `all {request.permission = 'OBJECT_DELETE'}`. */
  where?: string;
}

/** What packing needs of a guardrail's compiled OCI fragment. */
export interface TOciPackFragment {
  guardrailId: string;
  attach: boolean;
  statements: readonly TOciStatementPart[];
  /** Security-zone policy names as the console shows them, e.g. `deny public_buckets`. */
  securityZonePolicies: readonly string[];
}

export function renderOciStatement(part: TOciStatementPart, location: string): string {
  return `${part.head} in ${location}${part.where ? ` where ${part.where}` : ""}`;
}

/**
 * OCI policies for one attachment compartment. `location` is how statements name the place they
 * apply to, relative to the attachment (`tenancy`, or `compartment <name>`). Split by the
 * 50-statements-per-policy limit; names are stable per compartment and chunk.
 */
export function buildOciPolicies(
  compartmentId: string,
  location: string,
  fragments: readonly TOciPackFragment[],
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

/**
 * Where a target's policies live and how their statements name it: attached to the target itself,
 * speaking of `tenancy` at the root and of `compartment id <ocid>` below. OCI policy names are unique
 * across the whole tenancy (CreatePolicyDetails.name in the Identity API), and the name is derived from
 * the attachment compartment, so every caller (reconcile, the CLI) must place policies through here or
 * two targets' policies collide with 409 PolicyAlreadyExists.
 */
export function buildOciPoliciesForTarget(
  target: { compartmentId: string; isRoot: boolean },
  fragments: readonly TOciPackFragment[],
  workspaceId: string,
): TOciIamPolicy[] {
  const location = target.isRoot ? "tenancy" : `compartment id ${target.compartmentId}`;
  return buildOciPolicies(target.compartmentId, location, fragments, workspaceId);
}

/** Security-zone policy names a compartment's recipe must include (resolved to OCIDs by the provider). */
export function ociSecurityZonePolicyNames(fragments: readonly TOciPackFragment[]): string[] {
  return [...new Set(fragments.filter((f) => f.attach).flatMap((f) => f.securityZonePolicies))].sort(byString);
}
