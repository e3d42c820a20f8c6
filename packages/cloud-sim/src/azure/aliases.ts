import { badRequest, type ArmError } from "./errors.ts";

/**
 * Policy aliases ARM knows, for the resource types Parapet's policies (and the simulator's seeded
 * built-ins) name. ARM refuses a definition whose rule names any other alias with 400
 * `InvalidPolicyAlias`: "The policy definition '<name>' rule is invalid. The 'field' property '<alias>'
 * of the policy rule doesn't exist as an alias under provider '<namespace>' and resource type '<type>'.
 * The supported aliases are '…'." (the message as ARM returns it, quoted in Azure/azure-policy issue #363).
 *
 * Source (read 2026-12-06): every alias below is used by a built-in definition in the Azure/azure-policy
 * repository (built-in-policies/policyDefinitions/…), named per group; an alias used by a built-in exists
 * in ARM's alias catalogue (`Get-AzPolicyAlias`). This is a subset of ARM's catalogue: the aliases of
 * other resource types are not vendored, so naming them is refused here although Azure would accept
 * them. Matching is case-insensitive, as in ARM (built-ins spell `microsoft.insights/...` too).
 */
const ALIASES: readonly string[] = [
  // Authorization: "Custom subscription owner roles should not exist" (10ee2ea2) and the seeded
  // "Audit usage of custom RBAC roles" (a451c1ef).
  "Microsoft.Authorization/roleDefinitions/permissions[*].actions[*]",
  "Microsoft.Authorization/roleDefinitions/permissions.actions[*]",
  "Microsoft.Authorization/roleDefinitions/type",
  "Microsoft.Authorization/roleDefinitions/roleName",
  // Compute: "OS and data disks should be encrypted with a customer-managed key" (702dd420,
  // Compute/OSAndDataDiskCMKRequired_Deny.json), "Audit VMs that do not use managed disks" (06a78e20),
  // "Managed disks should be double encrypted with both platform-managed and customer-managed keys" (ca91455f).
  "Microsoft.Compute/disks/encryption.type",
  "Microsoft.Compute/disks/encryption.diskEncryptionSetId",
  "Microsoft.Compute/virtualMachines/storageProfile.osDisk.managedDisk.diskEncryptionSet.id",
  "Microsoft.Compute/virtualMachines/storageProfile.dataDisks",
  "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*]",
  "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*].managedDisk.id",
  "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*].managedDisk.diskEncryptionSet.id",
  "Microsoft.Compute/virtualMachines/osDisk.uri",
  "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.osDisk.managedDisk.diskEncryptionSet.id",
  "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.dataDisks[*]",
  "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.dataDisks[*].managedDisk.diskEncryptionSet.id",
  "Microsoft.Compute/virtualMachineScaleSets/osDisk.vhdContainers",
  // Cosmos DB: "Azure Cosmos DB should disable public network access".
  "Microsoft.DocumentDB/databaseAccounts/publicNetworkAccess",
  // Diagnostic settings: the "Enable logging by category group … to Log Analytics / Storage / Event Hub"
  // built-ins and the diagnostic-settings audit built-ins.
  "Microsoft.Insights/diagnosticSettings/logs",
  "Microsoft.Insights/diagnosticSettings/logs[*]",
  "Microsoft.Insights/diagnosticSettings/logs[*].enabled",
  "Microsoft.Insights/diagnosticSettings/logs[*].category",
  "Microsoft.Insights/diagnosticSettings/logs[*].categoryGroup",
  "Microsoft.Insights/diagnosticSettings/logs.enabled",
  "Microsoft.Insights/diagnosticSettings/metrics[*].enabled",
  "Microsoft.Insights/diagnosticSettings/workspaceId",
  "Microsoft.Insights/diagnosticSettings/storageAccountId",
  "Microsoft.Insights/diagnosticSettings/eventHubAuthorizationRuleId",
  "Microsoft.Insights/diagnosticSettings/eventHubName",
  // Key Vault: "Key vaults should have deletion protection enabled", "Azure Key Vault should use RBAC
  // permission model", "Azure Key Vault should have firewall enabled".
  "Microsoft.KeyVault/vaults/enablePurgeProtection",
  "Microsoft.KeyVault/vaults/enableSoftDelete",
  "Microsoft.KeyVault/vaults/enableRbacAuthorization",
  "Microsoft.KeyVault/vaults/networkAcls.defaultAction",
  // Defender for Cloud: the "Microsoft Defender for … should be enabled" built-ins.
  "Microsoft.Security/pricings/pricingTier",
  // SQL: "Public network access on Azure SQL Database should be disabled".
  "Microsoft.Sql/servers/publicNetworkAccess",
  // Storage: "Storage account public access should be disallowed", "Storage accounts should prevent shared
  // key access", "Storage accounts should use customer-managed key for encryption", "Storage accounts should
  // restrict network access", "Storage accounts should disable public network access", "Secure transfer to
  // storage accounts should be enabled".
  "Microsoft.Storage/storageAccounts/allowBlobPublicAccess",
  "Microsoft.Storage/storageAccounts/allowSharedKeyAccess",
  "Microsoft.Storage/storageAccounts/encryption.keySource",
  "Microsoft.Storage/storageAccounts/networkAcls.defaultAction",
  "Microsoft.Storage/storageAccounts/publicNetworkAccess",
  "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly",
];

const BY_NAME = new Map(ALIASES.map((a) => [a.toLowerCase(), a]));

/**
 * Fields every rule may name without an alias (Azure Policy definition structure, "Fields"):
 * name, fullName, kind, type, location, id, identity.type, identity.userAssignedIdentities, tags,
 * tags['<name>'], tags.<name>.
 */
function isBuiltInField(field: string): boolean {
  const f = field.toLowerCase();
  if (["name", "fullname", "kind", "type", "location", "id", "identity.type", "identity.userassignedidentities", "tags"].includes(f))
    return true;
  return /^tags\[['"].+['"]\]$/.test(f) || /^tags\.[^.[\]]+$/.test(f);
}

function aliasError(definition: string, field: string): ArmError {
  const m = /^([A-Za-z0-9]+\.[A-Za-z0-9.]+)\/([^/]+(?:\/[^/.[]+)*?)\/[^/]+$/.exec(field);
  if (!m) {
    return badRequest(
      "InvalidPolicyAlias",
      `The policy definition '${definition}' rule is invalid. The 'field' property '${field}' of the policy rule is not a valid field or alias.`,
    );
  }
  const [, ns, type] = m as unknown as [string, string, string];
  const prefix = `${ns}/${type}/`.toLowerCase();
  const supported = ALIASES.filter((a) => a.toLowerCase().startsWith(prefix) && !a.slice(prefix.length).includes("/"));
  return badRequest(
    "InvalidPolicyAlias",
    `The policy definition '${definition}' rule is invalid. The 'field' property '${field}' of the policy rule doesn't exist as an alias under provider '${ns}' and resource type '${type}'. The supported aliases are '${supported.join("', '")}'.`,
  );
}

/** Every `field` a rule names (conditions and `count.field`), with ARM's own template expressions skipped. */
function fieldsOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) fieldsOf(x, out);
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k.toLowerCase() === "field" && typeof x === "string") out.push(x);
      else fieldsOf(x, out);
    }
  }
  return out;
}

/** Refuses the first field that is neither a built-in field nor a known alias, as ARM does on write. */
export function validateAliases(definition: string, rule: unknown): void {
  // The `if` conditions and the existence conditions in `then.details` both name fields.
  for (const field of fieldsOf(rule)) {
    if (field.startsWith("[")) continue; // a template expression such as [concat(...)], resolved per evaluation
    if (isBuiltInField(field) || BY_NAME.has(field.toLowerCase())) continue;
    throw aliasError(definition, field);
  }
}

export function knownAlias(field: string): boolean {
  return isBuiltInField(field) || BY_NAME.has(field.toLowerCase());
}
