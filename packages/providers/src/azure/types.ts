/**
 * Native Azure Policy types (Microsoft.Authorization, api-version 2024-05-01 / 2025-03-01).
 * Shapes follow the ARM `properties` bag; names are the ARM resource names Parapet chooses.
 */

/** A policy rule: `if` is a (possibly nested) condition tree, `then` names the effect and its details. */
export interface TAzurePolicyRule {
  if: TAzurePolicyCondition;
  then: { effect: string; details?: Record<string, unknown> };
}

/** allOf / anyOf / not / leaf (`field` or `value` or `count` with one operator). Kept open on purpose. */
export type TAzurePolicyCondition = { [key: string]: unknown };

export interface TAzureParameterDefinition {
  type: "String" | "Array" | "Object" | "Boolean" | "Integer" | "Float" | "DateTime";
  metadata?: { displayName?: string; description?: string };
  defaultValue?: unknown;
  allowedValues?: unknown[];
}

export interface TAzurePolicyDefinition {
  /** ARM resource name (≤64 chars for definitions at a management group). */
  name: string;
  properties: {
    policyType: "Custom";
    /** `All` evaluates every type; `Indexed` only types that support tags and location. */
    mode: "All" | "Indexed";
    displayName: string;
    description: string;
    policyRule: TAzurePolicyRule;
    parameters: Record<string, TAzureParameterDefinition>;
    metadata: Record<string, unknown>;
  };
}

export interface TAzurePolicyDefinitionReference {
  policyDefinitionId: string;
  policyDefinitionReferenceId: string;
  parameters: Record<string, { value: unknown }>;
}

/** A policy set definition (initiative). Limit: 1,000 policies per initiative. */
export interface TAzurePolicySetDefinition {
  name: string;
  properties: {
    policyType: "Custom";
    displayName: string;
    description: string;
    metadata: Record<string, unknown>;
    parameters: Record<string, TAzureParameterDefinition>;
    policyDefinitions: TAzurePolicyDefinitionReference[];
  };
}

type TAzureEnforcementMode = "Default" | "DoNotEnforce";

export interface TAzurePolicyAssignment {
  name: string;
  properties: {
    displayName: string;
    description: string;
    policyDefinitionId: string;
    /** `DoNotEnforce` evaluates and reports compliance without blocking (Parapet's audit mode). */
    enforcementMode: TAzureEnforcementMode;
    /** Scopes excluded from the assignment (≤400). */
    notScopes: string[];
    parameters: Record<string, { value: unknown }>;
    metadata: Record<string, unknown>;
  };
}

export interface TAzurePolicyExemption {
  name: string;
  properties: {
    policyAssignmentId: string;
    policyDefinitionReferenceIds: string[];
    exemptionCategory: "Waiver" | "Mitigated";
    displayName: string;
    description: string;
    /** ISO 8601; exemptions are always time-boxed in Parapet. */
    expiresOn: string;
    metadata: Record<string, unknown>;
  };
}

/** Azure Policy quotas (per scope unless noted). */
export const AZURE_LIMITS = {
  definitionsPerScope: 500,
  initiativesPerScope: 200,
  assignmentsPerScope: 200,
  exemptionsPerScope: 1_000,
  parametersPerDefinition: 20,
  policiesPerInitiative: 1_000,
  notScopesPerAssignment: 400,
} as const;

/** A subscription id as ARM writes it: a GUID. */
export const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A management group id: letters, digits, `-_().`, up to 90 characters (ARM refuses others when a group is created). */
export const MANAGEMENT_GROUP_ID = /^[\w().-]{1,90}$/;
