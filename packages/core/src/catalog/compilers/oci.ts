import type { TOciPrincipalRef } from "../principals.ts";
import type { TCompileContext, TOciFragment, TOciStatementPart } from "../types.ts";

type TCtx = TCompileContext<"oci">;

/** OCI statements take one principal type each: groups and dynamic groups become separate subjects. */
export function ociSubjects(ref: TOciPrincipalRef): string[] {
  const out: string[] = [];
  if (ref.groups.length > 0) out.push(`group ${[...ref.groups].sort().join(", ")}`);
  if (ref.dynamicGroups.length > 0) out.push(`dynamic-group ${[...ref.dynamicGroups].sort().join(", ")}`);
  return out;
}

/**
 * Conditions that spare the connector and break-glass principals. OCI conditions can only name the
 * caller by OCID (`request.principal.id`, `request.groups.id`), so these need the OCIDs.
 *
 * `request.groups.id` is "the OCIDs of the groups the requesting user is in" (General Variables for All
 * Requests): it does not apply to instance or resource principals, and "if the variable is not
 * applicable to the incoming request, the condition evaluates the request as false" (Conditions,
 * "Variables Not Applicable to a Request Result in a Declined Request"). A deny whose condition is
 * false does not apply, so a group exemption on a statement about dynamic groups (whose members are
 * always instance or resource principals) would switch the deny off for every member. User groups
 * cannot hold those principals anyway, so dynamic-group statements are excepted by principal OCID only.
 */
export function ociExemptConditions(ctx: TCtx, subject: "user-groups" | "dynamic-groups" | "any-user" = "any-user"): string[] {
  const p = ctx.principals;
  const principals = [...new Set([...p.connector.principalIds, ...p.breakGlass.principalIds])].sort();
  const groups = subject === "dynamic-groups" ? [] : [...new Set([...p.connector.groupIds, ...p.breakGlass.groupIds])].sort();
  return [
    ...principals.map((id) => `request.principal.id != '${id}'`),
    ...groups.map((id) => `request.groups.id != '${id}'`),
  ];
}

export class OciCompileError extends Error {}

export interface TOciDenySpec {
  /** A principal class, or everyone (then the exemptions are mandatory). */
  subject: TOciPrincipalRef | "any-user";
  verb: "inspect" | "read" | "use" | "manage";
  resourceType: string;
  /** One statement per permission, each `where request.permission = '<P>'` plus exemptions. */
  permissions?: string[];
  conditions?: string[];
}

export function ociDeny(ctx: TCtx, spec: TOciDenySpec): TOciStatementPart[] {
  let subjects: string[];
  if (spec.subject === "any-user") {
    if (ociExemptConditions(ctx).length === 0) {
      throw new OciCompileError(
        "oci principals: connector/breakGlass need groupIds or principalIds (OCIDs) so tenancy-wide denies can except them",
      );
    }
    subjects = ["any-user"];
  } else {
    subjects = ociSubjects(spec.subject);
  }
  const out: TOciStatementPart[] = [];
  const perms = spec.permissions && spec.permissions.length > 0 ? [...spec.permissions].sort() : [undefined];
  for (const subject of subjects) {
    const exempt = ociExemptConditions(ctx, subject === "any-user" ? "any-user" : subject.startsWith("dynamic-group ") ? "dynamic-groups" : "user-groups");
    for (const perm of perms) {
      const conds = [...(perm ? [`request.permission = '${perm}'`] : []), ...(spec.conditions ?? []), ...exempt];
      const head = `deny ${subject} to ${spec.verb} ${spec.resourceType}`;
      out.push(
        conds.length === 0 ? { head } : { head, where: conds.length === 1 ? conds[0]! : `all {${conds.join(", ")}}` },
      );
    }
  }
  return out;
}

export function ociFragment(ctx: TCtx, statements: TOciStatementPart[], securityZonePolicies: string[] = []): TOciFragment {
  return {
    cloud: "oci",
    guardrailId: ctx.guardrail.id,
    attach: ctx.mode === "enforce",
    statements,
    securityZonePolicies: [...new Set(securityZonePolicies)].sort(),
  };
}

/** `<head> in <location> [where <conds>]`; location is `tenancy` or `compartment <name>` (relative to the attachment). */
export function renderOciStatement(part: TOciStatementPart, location: string): string {
  return `${part.head} in ${location}${part.where ? ` where ${part.where}` : ""}`;
}
