import { notFound, type ArmError } from "./errors.ts";
import type { AppRegistration, ManagementGroup, PolicyKind, PolicyResource, Subscription } from "./model.ts";

export interface Caller {
  /** App id (client id) for applications, UPN for people acting through the admin API. */
  id: string;
  type: "Application" | "User";
  objectId?: string;
}

export const TYPES: Record<PolicyKind, string> = {
  policyDefinitions: "Microsoft.Authorization/policyDefinitions",
  policySetDefinitions: "Microsoft.Authorization/policySetDefinitions",
  policyAssignments: "Microsoft.Authorization/policyAssignments",
  policyExemptions: "Microsoft.Authorization/policyExemptions",
};

export const KIND_BY_SEGMENT: Record<string, PolicyKind> = {
  policydefinitions: "policyDefinitions",
  policysetdefinitions: "policySetDefinitions",
  policyassignments: "policyAssignments",
  policyexemptions: "policyExemptions",
};

export const NOUN: Record<PolicyKind, string> = {
  policyDefinitions: "policy definition",
  policySetDefinitions: "policy set definition",
  policyAssignments: "policy assignment",
  policyExemptions: "policy exemption",
};

const NOT_FOUND_CODE: Record<PolicyKind, string> = {
  policyDefinitions: "PolicyDefinitionNotFound",
  policySetDefinitions: "PolicySetDefinitionNotFound",
  policyAssignments: "PolicyAssignmentNotFound",
  policyExemptions: "PolicyExemptionNotFound",
};

export function notFoundError(kind: PolicyKind, name: string): ArmError {
  const verb = kind === "policyAssignments" || kind === "policyExemptions" ? "is not found" : "could not be found";
  return notFound(NOT_FOUND_CODE[kind], `The ${NOUN[kind]} '${name}' ${verb}.`);
}

export interface StateSnapshot {
  tenantId: string;
  managementGroups: Array<Omit<ManagementGroup, "children">>;
  subscriptions: Subscription[];
  resources: PolicyResource[];
  apps: AppRegistration[];
}

export type Bucket = Map<PolicyKind, Map<string, PolicyResource>>;
