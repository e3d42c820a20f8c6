import type { FaultConfig, ThrottleRule } from "../common/types.ts";

/** ARM's documented Azure Policy and management-group limits; every one is configurable per simulator. */
export interface AzureLimits {
  definitionsPerScope: number;
  setDefinitionsPerScope: number;
  setDefinitionsPerTenant: number;
  assignmentsPerScope: number;
  exemptionsPerScope: number;
  parametersPerDefinition: number;
  policiesPerSetDefinition: number;
  notScopesPerAssignment: number;
  maxBodyBytes: number;
  /** Levels of management groups below the tenant root group. */
  managementGroupDepth: number;
}

export const DEFAULT_LIMITS: AzureLimits = {
  definitionsPerScope: 500,
  setDefinitionsPerScope: 200,
  setDefinitionsPerTenant: 2500,
  assignmentsPerScope: 200,
  exemptionsPerScope: 1000,
  parametersPerDefinition: 20,
  policiesPerSetDefinition: 1000,
  notScopesPerAssignment: 400,
  maxBodyBytes: 1024 * 1024,
  managementGroupDepth: 6,
};

/** ARM throttles reads and writes in separate buckets (per region, per principal in real Azure). */
export const DEFAULT_THROTTLE: Record<string, ThrottleRule> = {
  read: { burst: 250, ratePerSec: 25 },
  write: { burst: 200, ratePerSec: 10 },
};

export interface AzureRuntimeConfig {
  throttle: Record<string, ThrottleRule> | false;
  faults: FaultConfig;
  limits: AzureLimits;
  webhook: { url: string; secret?: string } | undefined;
  /** Items per page of every list operation (ARM uses larger pages; small pages exercise nextLink). */
  pageSize: number;
}

export interface ManagementGroup {
  name: string;
  displayName: string;
  /** Lower-cased name of the parent; undefined only for the tenant root group. */
  parent: string | undefined;
  children: string[];
  version: number;
  updatedTime: string;
  updatedBy: string;
}

export interface Subscription {
  subscriptionId: string;
  displayName: string;
  state: "Enabled" | "Disabled" | "Warned" | "PastDue" | "Deleted";
  /** Lower-cased management group name. */
  parent: string;
  tags: Record<string, string>;
}

export type PolicyKind = "policyDefinitions" | "policySetDefinitions" | "policyAssignments" | "policyExemptions";

export interface SystemData {
  createdBy: string;
  createdByType: string;
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
  lastModifiedAt: string;
}

/** One Microsoft.Authorization policy resource; `properties` is kept as ARM returns it. */
export interface PolicyResource {
  kind: PolicyKind;
  name: string;
  /** Canonical scope, e.g. "/subscriptions/…" or "/providers/Microsoft.Management/managementGroups/…"; "" for built-ins. */
  scope: string;
  properties: Record<string, unknown>;
  systemData: SystemData;
  /** Assignments only. */
  location?: string;
  identity?: Record<string, unknown>;
}

export interface RoleGrant {
  /** Built-in role name (Owner, Reader, Resource Policy Contributor, …) or a custom list of actions. */
  role?: string;
  actions?: string[];
  notActions?: string[];
  /** Canonical scope the grant applies at and below; "/" means the whole tenant. */
  scope: string;
}

export interface AppRegistration {
  appId: string;
  objectId: string;
  displayName: string;
  tenantId: string;
  secrets: string[];
  /** Federated identity credentials: an assertion whose iss and sub match one of these is exchanged for a token. */
  federated: Array<{ issuer: string; subject: string; audience?: string }>;
  grants: RoleGrant[];
}

export interface IssuedToken {
  appId: string;
  expiresAt: number;
}

export const BUILT_IN_ROLES: Record<string, string[]> = {
  Owner: ["*"],
  Contributor: ["*"],
  Reader: ["*/read"],
  "Resource Policy Contributor": [
    "*/read",
    "Microsoft.Authorization/policyassignments/*",
    "Microsoft.Authorization/policydefinitions/*",
    "Microsoft.Authorization/policyexemptions/*",
    "Microsoft.Authorization/policysetdefinitions/*",
  ],
  "Management Group Reader": ["Microsoft.Management/managementGroups/read", "Microsoft.Management/managementGroups/*/read"],
  "Management Group Contributor": ["Microsoft.Management/managementGroups/*", "*/read"],
  "Tag Contributor": ["*/read", "Microsoft.Resources/tags/*"],
};
