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
    operations: ["ListCompartments"],
    why: "discover the compartment tree and its tags (labels)",
  },
  {
    permission: "manage policies in tenancy",
    operations: ["ListPolicies", "GetPolicy", "CreatePolicy", "UpdatePolicy", "DeletePolicy"],
    why: "deploy, repair and remove guardrails compiled to IAM policies; only policies tagged parapet-managed are ever changed",
  },
  {
    permission: "manage security-recipe in tenancy",
    operations: ["ListSecurityPolicies", "ListSecurityRecipes", "GetSecurityRecipe", "CreateSecurityRecipe", "UpdateSecurityRecipe", "DeleteSecurityRecipe"],
    why: "keep a security zone recipe per protected compartment with the guardrails' security zone policies",
  },
  {
    permission: "manage security-zone in tenancy",
    operations: ["ListSecurityZones", "GetSecurityZone", "CreateSecurityZone", "UpdateSecurityZone", "DeleteSecurityZone"],
    why: "place protected compartments in security zones that use Parapet's recipes",
  },
];

/** The bootstrap policy statements for a connector group (IAM deny statements also need deny policies enabled). */
export function ociBootstrapStatements(group: string): string[] {
  return minimumPermissions.map((p) => `Allow group ${group} to ${p.permission}`);
}

export function permissionFor(operation: string): string {
  return minimumPermissions.find((p) => p.operations.includes(operation))?.permission ?? operation;
}
