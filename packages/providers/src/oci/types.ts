/**
 * Native OCI types: IAM policies (statement strings attached to a compartment or the tenancy) and
 * Cloud Guard security zones with their recipes.
 */

export interface TOciIamPolicy {
  /** Unique in the tenancy; `parapet-<ws-short>-<hash>`. */
  name: string;
  description: string;
  /** OCID of the compartment (or tenancy) the policy is attached to. */
  compartmentId: string;
  /** `Allow|Deny <subject> to <verb> <resource-type> in <location> [where <conditions>]`. Limit 50 per policy. */
  statements: string[];
  freeformTags: Record<string, string>;
}

export const OCI_LIMITS = {
  statementsPerPolicy: 50,
  policiesPerTenancy: 100,
  policyNameChars: 100,
} as const;
