import { z } from "zod";

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

/** Security zone recipe: a set of security-zone policy OCIDs (e.g. the one behind `deny public_buckets`). */
export interface TOciSecurityRecipe {
  displayName: string;
  description: string;
  compartmentId: string;
  securityPolicies: string[];
  freeformTags: Record<string, string>;
}

export interface TOciSecurityZone {
  displayName: string;
  description: string;
  /** The compartment the zone covers (and its children). */
  compartmentId: string;
  securityZoneRecipeId: string;
  freeformTags: Record<string, string>;
}

export const OCI_LIMITS = {
  statementsPerPolicy: 50,
  policiesPerTenancy: 100,
  policyNameChars: 100,
} as const;

export const ZOciIamPolicy = z.object({
  id: z.string().max(256).optional(),
  name: z.string().max(100),
  description: z.string().max(400).optional(),
  compartmentId: z.string().max(256),
  statements: z.array(z.string().max(4096)).max(200),
  freeformTags: z.record(z.string().max(100), z.string().max(256)).optional(),
});
