/**
 * Native GCP types: Org Policy v2 policies and custom constraints, and IAM v2 deny policies.
 * Field names follow the REST JSON representation.
 */

export interface TGcpExpr {
  expression: string;
  title?: string;
  description?: string;
}

/** One rule of a policy spec. Exactly one of values / allowAll / denyAll / enforce is set. */
export interface TGcpPolicyRule {
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  allowAll?: boolean;
  denyAll?: boolean;
  enforce?: boolean;
  condition?: TGcpExpr;
}

export interface TGcpPolicySpec {
  etag?: string;
  rules: TGcpPolicyRule[];
  inheritFromParent?: boolean;
  reset?: boolean;
}

/** `organizations/{id}|folders/{id}|projects/{n}/policies/{constraint}`. Limit: 32 KB per policy. */
export interface TGcpOrgPolicy {
  name: string;
  /** Live enforcement. */
  spec?: TGcpPolicySpec;
  /** Evaluated and logged only (Parapet's audit mode). */
  dryRunSpec?: TGcpPolicySpec;
  etag?: string;
}

export type TGcpMethodType = "CREATE" | "UPDATE" | "REMOVE_GRANT" | "GOVERN_TAGS";

/** `organizations/{id}/customConstraints/custom.<name>`; CEL condition ≤1,000 characters. */
export interface TGcpCustomConstraint {
  name: string;
  resourceTypes: string[];
  methodTypes: TGcpMethodType[];
  condition: string;
  actionType: "ALLOW" | "DENY";
  displayName: string;
  description: string;
}

export interface TGcpDenyRule {
  /** IAM v2 principal identifiers: `principal://…`, `principalSet://…`. */
  deniedPrincipals: string[];
  exceptionPrincipals?: string[];
  /** v2 permission format `SERVICE_FQDN/RESOURCE.ACTION`. */
  deniedPermissions: string[];
  exceptionPermissions?: string[];
  denialCondition?: TGcpExpr;
}

/** IAM v2 deny policy at `policies/{attachmentPoint}/denypolicies/{id}`; ≤5 per resource, ≤500 rules. */
export interface TGcpDenyPolicy {
  name: string;
  displayName: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  rules: { description?: string; denyRule: TGcpDenyRule }[];
  etag?: string;
}

export const GCP_LIMITS = {
  policyBytes: 32 * 1024,
  celConditionChars: 1_000,
  customConstraintsPerResource: 20,
  denyPoliciesPerResource: 5,
  denyRulesPerPolicy: 500,
} as const;
