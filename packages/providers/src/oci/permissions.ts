/**
 * Least privilege for Parapet's OCI connector, in OCI policy terms. The wizard renders these as the
 * bootstrap policy (`Allow group <connector-group> to <verb> <resource-type> in tenancy`); verify()
 * names missing entries by the same `permission` string.
 */
export interface OciPermission {
  /** `<verb> <resource-type> in tenancy`, as it appears in an OCI policy statement. */
  permission: string;
  /** API operations Parapet calls that this grant covers. */
  operations: string[];
  why: string;
}

export const minimumPermissions: readonly OciPermission[] = [
  {
    permission: "inspect tenancies in tenancy",
    operations: ["GetTenancy"],
    why: "confirm the connection points at the expected tenancy and read its name and tags",
  },
  {
    permission: "inspect compartments in tenancy",
    // INSPECT on compartments covers ListCompartments and GetCompartment (Details for IAM without Identity
    // Domains: https://docs.oracle.com/iaas/Content/Identity/Reference/iampolicyreference.htm).
    operations: ["ListCompartments", "GetCompartment"],
    why: "discover the compartment tree and its tags (labels), and re-read just the compartments an event names",
  },
  {
    permission: "manage policies in tenancy",
    operations: ["ListPolicies", "GetPolicy", "CreatePolicy", "UpdatePolicy", "DeletePolicy"],
    why: "deploy, repair and remove guardrails compiled to IAM policies; only policies tagged parapet-managed are ever changed",
  },
  {
    permission: "manage security-recipe in tenancy",
    operations: [
      "ListSecurityPolicies",
      "ListSecurityRecipes",
      "GetSecurityRecipe",
      "CreateSecurityRecipe",
      "UpdateSecurityRecipe",
      "DeleteSecurityRecipe",
    ],
    why: "keep a security zone recipe per protected compartment with the guardrails' security zone policies",
  },
  {
    permission: "read cloud-guard-targets in tenancy",
    operations: ["ListTargets"],
    why: "creating a security zone deletes the Cloud Guard targets below it, so Parapet reads them first and never places a zone over a customer's target",
  },
  {
    permission: "manage security-zone in tenancy",
    operations: ["ListSecurityZones", "GetSecurityZone", "CreateSecurityZone", "UpdateSecurityZone", "DeleteSecurityZone"],
    why: "place protected compartments in security zones that use Parapet's recipes",
  },
  {
    permission: "read audit-events in tenancy",
    operations: ["ListEvents"],
    why: "replay the Audit log against a guardrail before it is enforced, to show what it would have denied (Details for Audit: read audit-events covers ListEvents — https://docs.oracle.com/iaas/Content/Identity/Reference/auditpolicyreference.htm)",
  },
  {
    permission: "inspect users in tenancy",
    operations: ["ListUserGroupMemberships"],
    why: "deny statements test the caller's groups, which the Audit log does not record; the replay reads a caller's group memberships (Details for IAM without Identity Domains: ListUserGroupMemberships needs inspect users and inspect groups — https://docs.oracle.com/iaas/Content/Identity/Reference/iampolicyreference.htm)",
  },
  {
    permission: "inspect groups in tenancy",
    operations: ["ListGroups", "GetGroup"],
    why: "statements name groups while conditions test their OCIDs, so the replay reads the names of a caller's groups (same page)",
  },
];

/** The bootstrap policy statements for a connector group (IAM deny statements also need deny policies enabled). */
export function ociBootstrapStatements(group: string): string[] {
  return minimumPermissions.map((p) => `Allow group ${group} to ${p.permission}`);
}

export function permissionFor(operation: string): string {
  return minimumPermissions.find((p) => p.operations.includes(operation))?.permission ?? operation;
}

/** The permission verify reports when the tenancy's deny-policy guard blocks the connector. */
export const DENY_STATEMENTS_PERMISSION = "write deny statements (the tenancy's IAM deny-policy guard must except the connector)";

const GUARD_HEAD = /^\s*deny\s+(any-user|any-group)\s+to\s+manage\s+(policies|all-resources)\s+in\s+tenancy\s+where\s+([\s\S]+?)\s*$/i;

/**
 * Enabling IAM deny policies (Console, default answer) creates a root policy
 *   deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='<enabler>'}
 * so only the enabling administrator and the Administrators group may write deny statements
 * (docs.oracle.com/iaas/Content/Identity/policysyntax/denypolicies.htm). Every deny-based guardrail
 * needs the connector to write deny statements, so the guard must also except the connector's user.
 *
 * Returns the statement to put in place of `statement` when it is such a guard and does not except
 * `connectorUserId`; undefined when it is not a guard or already excepts the connector.
 */
export function ociDenyGuardFix(statement: string, connectorUserId: string): string | undefined {
  const m = GUARD_HEAD.exec(statement);
  if (!m || !/target\.policy\.type\s*=\s*'deny'/i.test(m[3] as string)) return undefined;
  const where = (m[3] as string).trim();
  const exempt = `request.principal.id!='${connectorUserId}'`;
  const esc = connectorUserId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (new RegExp(`request\\.principal\\.id\\s*!=\\s*'${esc}'`, "i").test(where)) return undefined;
  const all = /^all\s*\{([\s\S]*)\}$/i.exec(where);
  const head = statement.trim().slice(0, statement.trim().length - where.length);
  return all ? `${head}all {${(all[1] as string).trim()}, ${exempt}}` : `${head}all {${where}, ${exempt}}`;
}

/**
 * The statement change the connector's bootstrap asks for, with placeholders (verify prints it again
 * with the tenancy's real OCIDs): the Console's default guard, and the same guard excepting the connector.
 */
export function ociDenyGuardBootstrapChange(): { before: string; after: string } {
  const before =
    "deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='<ocid-of-the-admin-who-enabled-deny>'}";
  return { before, after: ociDenyGuardFix(before, "<ocid-of-the-parapet-connector-user>") as string };
}
