import type { TOciPrincipalRef } from "../principals.ts";
import type { TCompileContext, TOciFragment, TOciStatementPart } from "../types.ts";

type TCtx = TCompileContext<"oci">;

/** OCI statements take one principal type each: groups and dynamic groups become separate subjects. */
function ociSubjects(ref: TOciPrincipalRef): string[] {
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
function ociExemptConditions(ctx: TCtx, subject: "user-groups" | "dynamic-groups" | "any-user" = "any-user"): string[] {
  const p = ctx.principals;
  // This guardrail's exempt principals are user/instance OCIDs: excepted like the break-glass principals.
  const principals = [...new Set([...p.connector.principalIds, ...p.breakGlass.principalIds, ...ctx.exemptPrincipals])].sort();
  const groups = subject === "dynamic-groups" ? [] : [...new Set([...p.connector.groupIds, ...p.breakGlass.groupIds])].sort();
  return [...principals.map((id) => `request.principal.id != '${id}'`), ...groups.map((id) => `request.groups.id != '${id}'`)];
}

class OciCompileError extends Error {}

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
  const push = (head: string, conds: string[]) =>
    out.push(conds.length === 0 ? { head } : { head, where: conds.length === 1 ? conds[0]! : `all {${conds.join(", ")}}` });
  const byOcid = ociExemptConditions(ctx, "dynamic-groups");
  for (const subject of subjects) {
    const exempt = ociExemptConditions(
      ctx,
      subject === "any-user" ? "any-user" : subject.startsWith("dynamic-group ") ? "dynamic-groups" : "user-groups",
    );
    // A tenancy-wide deny whose exemption also names user groups never applies to an instance principal
    // (see ociExemptConditions), so it gets a twin for instance principals, excepted by OCID only.
    const instanceTwin = subject === "any-user" && exempt.length > byOcid.length;
    for (const perm of perms) {
      const base = [...(perm ? [`request.permission = '${perm}'`] : []), ...(spec.conditions ?? [])];
      const head = `deny ${subject} to ${spec.verb} ${spec.resourceType}`;
      push(head, [...base, ...exempt]);
      if (instanceTwin) push(head, [...base, OCI_INSTANCE_PRINCIPAL, ...byOcid]);
    }
  }
  return out;
}

/**
 * Selects instance principals: `request.principal.type = 'instance'` is how Oracle's own OKE Terraform
 * (`cluster_nodes = "ALL { request.principal.type = 'instance', … }"`) and the OCI Service Operator for
 * Kubernetes setup docs grant to worker-node instances (OCI_SOURCES.principalType). Users never match
 * it, so the twin cannot catch the connector or break-glass users; an instance principal that is the
 * connector or break-glass is spared by its OCID. Resource principals carry service-specific types
 * (functions, OKE workloads, …) that are not enumerated here: they stay in the control's gap.
 */
export const OCI_INSTANCE_PRINCIPAL = "request.principal.type = 'instance'";

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

/** The OCI documentation the compilers rely on, as `title — URL` (see TCloudCompiler.sources). */
export const OCI_SOURCES = {
  policyBasics:
    "OCI IAM: IAM Policies Overview (statement syntax, locations) — https://docs.oracle.com/iaas/Content/Identity/policieshow/Policy_Basics.htm",
  subjects:
    "OCI IAM: Subjects (group, dynamic-group, any-user; one principal type per statement) — https://docs.oracle.com/iaas/Content/Identity/policysyntax/subject.htm",
  denyPolicies:
    "OCI IAM: Deny Policies (opt-in, the default guard that limits who writes deny statements, Administrators always exempt, metaverb inversion, target.policy.type) — https://docs.oracle.com/en-us/iaas/Content/Identity/policysyntax/denypolicies.htm",
  denyKnownIssues:
    "OCI IAM: Deny Policies Known Issues (deny does not override identity-domain administration roles; tag-based denies take up to 24 h) — https://docs.oracle.com/en-us/iaas/Content/Identity/known-issues/known-issues-deny-policies.htm",
  conditions:
    "OCI IAM: Conditions (any/all, patterns, a variable not applicable to the request evaluates to false) — https://docs.oracle.com/en-us/iaas/Content/Identity/policysyntax/conditions.htm",
  generalVariables:
    "OCI IAM: General Variables for All Requests (request.principal.id, request.groups.id is the requesting user's groups, request.permission, request.operation, request.region) — https://docs.oracle.com/iaas/Content/Identity/policyreference/policyreference_topic-General_Variables_for_All_Requests.htm",
  objectStorage:
    "OCI IAM: Details for Object Storage, Archive Storage and Data Transfer (object-family, BUCKET_DELETE, OBJECT_DELETE) — https://docs.oracle.com/iaas/Content/Identity/policyreference/objectstoragepolicyreference.htm",
  core: "OCI IAM: Details for the Core Services (volume-family, VOLUME_DELETE, VOLUME_BACKUP_DELETE, BOOT_VOLUME_BACKUP_DELETE) — https://docs.oracle.com/iaas/Content/Identity/policyreference/corepolicyreference.htm",
  database:
    "OCI IAM: Details for the Database Service (database-family, autonomous-database-family, DB_SYSTEM_DELETE, DB_BACKUP_DELETE) — https://docs.oracle.com/en-us/iaas/Content/Identity/policyreference/databasepolicyreference.htm",
  vault:
    "OCI IAM: Details for Vault, Key Management and Secret Management (keys, vaults, secret-family, KEY_DELETE, VAULT_DELETE) — https://docs.oracle.com/en-us/iaas/Content/Identity/policyreference/keypolicyreference.htm",
  logging:
    "OCI IAM: Details for Logging (log groups, logs, unified agent configurations) — https://docs.oracle.com/en-us/iaas/Content/Identity/policyreference/loggingpolicyreference.htm",
  cloudGuard:
    "OCI Cloud Guard: Cloud Guard Policies (cloud-guard-family, cloud-guard-targets, security-zone, security-recipe) — https://docs.oracle.com/iaas/cloud-guard/using/policies.htm",
  tags: "OCI Tagging: Using Tags to Manage Access (tag namespaces in conditions) — https://docs.oracle.com/iaas/Content/Tagging/Tasks/managingaccesswithtags.htm",
  securityZonePolicies:
    "OCI Security Zones: Security Zone Policies (deny public_buckets, deny db_instance_public_access, deny *_without_vault_key) — https://docs.oracle.com/iaas/Content/security-zone/using/security-zone-policies.htm",
  securityZoneCreate:
    "OCI Security Zones: Creating a Security Zone (deletes the Cloud Guard targets of the compartment and its subcompartments; avoid the root compartment) — https://docs.oracle.com/iaas/security-zone/using/create-security-zone.htm",
  principalType:
    "OCI: request.principal.type = 'instance' selects instance principals (OCI Service Operator for Kubernetes' Required IAM Policies: \"Allow any-user to manage … where all {request.principal.type = 'instance', request.principal.compartment.id = …}\"; Oracle's OKE Terraform grants worker nodes the same way) — https://github.com/oracle/oci-service-operator/tree/main/docs",
  policyNames:
    "OCI Identity API: CreatePolicyDetails.name is unique across all policies in the tenancy — https://github.com/oracle/oci-typescript-sdk/blob/master/lib/identity/lib/model/create-policy-details.ts",
} as const;

/** Sources every deny-based compiler relies on. */
export const OCI_DENY_SOURCES: string[] = [
  OCI_SOURCES.policyBasics,
  OCI_SOURCES.subjects,
  OCI_SOURCES.denyPolicies,
  OCI_SOURCES.denyKnownIssues,
  OCI_SOURCES.conditions,
  OCI_SOURCES.generalVariables,
  OCI_SOURCES.principalType,
];

/** Sources every security-zone compiler relies on. */
export const OCI_ZONE_SOURCES: string[] = [OCI_SOURCES.securityZonePolicies, OCI_SOURCES.securityZoneCreate, OCI_SOURCES.cloudGuard];

/**
 * What no OCI deny statement can stop, for the gap sentence of every deny-based control: members of the
 * default domain's Administrators group are always exempt from deny policies, deny does not override
 * identity-domain administration roles, and (while the connector or break-glass exemption names user
 * groups) resource principals outside dynamic-group statements are not denied, because
 * `request.groups.id` does not apply to them and the condition evaluates to false. Instance principals
 * are caught by the instance twin of each such statement (ociDeny).
 */
export const OCI_DENY_GAP =
  "OCI exempts the default domain's Administrators group from every deny and deny does not override identity-domain administrator roles, so tenancy admins are never blocked; tenancy-wide (any-user) denies whose exemptions name user groups are repeated for instance principals (request.principal.type = 'instance') but do not apply to resource principals such as functions or OKE workloads (name the connector and break-glass by OCID to cover them); and the tenancy's deny-policy guard must except the connector (verify names the change).";
