/**
 * Least privilege for Parapet's Azure connector, in Azure RBAC terms: actions granted at the root
 * management group (inherited by every management group and subscription below it). The built-in
 * role "Resource Policy Contributor" covers all of them; the wizard can also render the custom role
 * below, which grants nothing else. verify() names missing entries by the same `action` string.
 */
export interface AzurePermission {
  /** RBAC action, as it appears in a role definition and in ARM's AuthorizationFailed message. */
  action: string;
  /** ARM operations Parapet calls that need this action. */
  operations: string[];
  why: string;
}

export const minimumPermissions: readonly AzurePermission[] = [
  {
    action: "Microsoft.Management/managementGroups/read",
    // Entities_List (getEntities) has no action of its own: it lists what the caller can read, which this
    // grant at the root group (with subscriptions/read below) makes every group and subscription.
    operations: ["ManagementGroups_Get", "Entities_List"],
    why: "confirm the connection points at the expected tenant root management group, and re-read a group or place a subscription an event names",
  },
  {
    action: "Microsoft.Management/managementGroups/descendants/read",
    operations: ["ManagementGroups_GetDescendants"],
    why: "discover the management group and subscription tree",
  },
  {
    action: "Microsoft.Resources/subscriptions/read",
    operations: ["Subscriptions_List", "Subscriptions_Get"],
    why: "read subscription tags, which become node labels (all of them in a sweep, one subscription an event names otherwise)",
  },
  {
    action: "Microsoft.Authorization/policyDefinitions/read",
    operations: [
      "PolicyDefinitions_GetAtManagementGroup",
      "PolicyDefinitions_Get",
      "PolicyDefinitions_ListByManagementGroup",
      "PolicyDefinitions_List",
    ],
    why: "observe the policy definitions Parapet deployed",
  },
  {
    action: "Microsoft.Authorization/policyDefinitions/write",
    operations: ["PolicyDefinitions_CreateOrUpdateAtManagementGroup", "PolicyDefinitions_CreateOrUpdate"],
    why: "deploy and repair guardrails compiled to policy definitions",
  },
  {
    action: "Microsoft.Authorization/policyDefinitions/delete",
    operations: ["PolicyDefinitions_DeleteAtManagementGroup", "PolicyDefinitions_Delete"],
    why: "remove definitions of guardrails that were deleted (only those marked metadata.parapetOwner)",
  },
  {
    action: "Microsoft.Authorization/policySetDefinitions/read",
    operations: [
      "PolicySetDefinitions_GetAtManagementGroup",
      "PolicySetDefinitions_Get",
      "PolicySetDefinitions_ListByManagementGroup",
      "PolicySetDefinitions_List",
    ],
    why: "observe Parapet's initiatives",
  },
  {
    action: "Microsoft.Authorization/policySetDefinitions/write",
    operations: ["PolicySetDefinitions_CreateOrUpdateAtManagementGroup", "PolicySetDefinitions_CreateOrUpdate"],
    why: "keep one initiative per scope with the guardrails that apply there",
  },
  {
    action: "Microsoft.Authorization/policySetDefinitions/delete",
    operations: ["PolicySetDefinitions_DeleteAtManagementGroup", "PolicySetDefinitions_Delete"],
    why: "remove initiatives no longer needed (only Parapet's)",
  },
  {
    action: "Microsoft.Authorization/policyAssignments/read",
    operations: ["PolicyAssignments_Get", "PolicyAssignments_ListForManagementGroup", "PolicyAssignments_List"],
    why: "observe where Parapet's initiatives are assigned and whether enforcement was turned off",
  },
  {
    action: "Microsoft.Authorization/policyAssignments/write",
    operations: ["PolicyAssignments_Create"],
    why: "assign initiatives to management groups and subscriptions, and restore enforcement",
  },
  {
    action: "Microsoft.Authorization/policyAssignments/delete",
    operations: ["PolicyAssignments_Delete"],
    why: "unassign guardrails that no longer apply (only Parapet's assignments)",
  },
  {
    action: "Microsoft.Authorization/policyExemptions/read",
    operations: ["PolicyExemptions_Get", "PolicyExemptions_List"],
    why: "observe the time-boxed exemptions Parapet created",
  },
  {
    action: "Microsoft.Authorization/policyExemptions/write",
    operations: ["PolicyExemptions_CreateOrUpdate"],
    why: "compile approved guardrail exemptions into native policy exemptions",
  },
  {
    action: "Microsoft.Authorization/policyExemptions/delete",
    operations: ["PolicyExemptions_Delete"],
    why: "remove exemptions when they are revoked or expire (only Parapet's)",
  },
  {
    // "Read management event type values" — covered by Reader's and Resource Policy Contributor's */read.
    action: "Microsoft.Insights/eventtypes/values/read",
    operations: ["ActivityLogs_List"],
    why: "read each subscription's Activity Log to show what a guardrail would have blocked (impact replay)",
  },
];

/** The built-in role that grants every action above (and reads of everything else). */
export const AZURE_BUILT_IN_ROLE = "Resource Policy Contributor";

/** A custom role with exactly the actions above, assignable at the tenant's root management group. */
export function azureCustomRoleDefinition(rootManagementGroupId: string): {
  Name: string;
  IsCustom: true;
  Description: string;
  Actions: string[];
  NotActions: string[];
  AssignableScopes: string[];
} {
  return {
    Name: "Parapet Guardrails Connector",
    IsCustom: true,
    Description: "Lets Parapet discover the hierarchy and manage the Azure Policy resources it owns.",
    Actions: minimumPermissions.map((p) => p.action),
    NotActions: [],
    AssignableScopes: [`/providers/Microsoft.Management/managementGroups/${rootManagementGroupId}`],
  };
}

export function permissionFor(operation: string): string {
  return minimumPermissions.find((p) => p.operations.includes(operation))?.action ?? operation;
}
