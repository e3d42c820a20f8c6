import { azureArtifactName, azureOwnerMetadata } from "@parapet/providers/azure/markers";
import type { TAzureParameterDefinition, TAzurePolicyCondition } from "@parapet/providers/azure/types";
import type { TAzureFragment, TAzurePolicyPart, TCompileContext } from "../types.ts";

type TCtx = TCompileContext<"azure">;

export interface TAzurePolicySpec {
  purpose: string;
  displayName: string;
  description: string;
  mode: "All" | "Indexed";
  if: TAzurePolicyCondition;
  /** Effect is a parameter so a customer can see (and Parapet can set) it per reference. */
  effect: { value: string; allowed: string[] };
  details?: Record<string, unknown>;
  /** Further parameters: definition + the value this guardrail passes. */
  params?: Record<string, { definition: TAzureParameterDefinition; value: unknown }>;
}

export function azurePolicy(ctx: TCtx, spec: TAzurePolicySpec): TAzurePolicyPart {
  const parameters: Record<string, TAzureParameterDefinition> = {
    effect: {
      type: "String",
      metadata: { displayName: "Effect", description: "What happens when the rule matches." },
      allowedValues: [...spec.effect.allowed],
      defaultValue: spec.effect.value,
    },
  };
  const values: Record<string, { value: unknown }> = { effect: { value: spec.effect.value } };
  for (const name of Object.keys(spec.params ?? {}).sort()) {
    const p = spec.params![name]!;
    parameters[name] = p.definition;
    values[name] = { value: p.value };
  }
  const referenceId = `${ctx.guardrail.id}-${spec.purpose}`.slice(0, 64);
  return {
    referenceId,
    definition: {
      name: azureArtifactName(ctx.workspaceId, `${ctx.guardrail.id}|${spec.purpose}`),
      properties: {
        policyType: "Custom",
        mode: spec.mode,
        displayName: `Parapet: ${spec.displayName}`.slice(0, 128),
        description: spec.description,
        policyRule: {
          if: spec.if,
          then: { effect: "[parameters('effect')]", ...(spec.details ? { details: spec.details } : {}) },
        },
        parameters,
        metadata: {
          ...azureOwnerMetadata(ctx.workspaceId),
          category: "Parapet",
          parapetGuardrailId: ctx.guardrail.id,
          parapetGuardrailVersion: ctx.guardrail.version,
        },
      },
    },
    parameters: values,
  };
}

export function azureFragment(ctx: TCtx, policies: TAzurePolicyPart[]): TAzureFragment {
  return {
    cloud: "azure",
    guardrailId: ctx.guardrail.id,
    enforcementMode: ctx.mode === "enforce" ? "Default" : "DoNotEnforce",
    policies: [...policies].sort((a, b) => (a.referenceId < b.referenceId ? -1 : 1)),
  };
}

/** Resource types the `denyAction` delete protection covers for a data class. */
export const AZURE_DATA_TYPES = {
  storage: "Microsoft.Storage/storageAccounts",
  sql: "Microsoft.Sql/servers",
  sqlDatabases: "Microsoft.Sql/servers/databases",
  cosmos: "Microsoft.DocumentDB/databaseAccounts",
  keyVault: "Microsoft.KeyVault/vaults",
  recoveryVault: "Microsoft.RecoveryServices/vaults",
  backupVault: "Microsoft.DataProtection/backupVaults",
  disks: "Microsoft.Compute/disks",
  snapshots: "Microsoft.Compute/snapshots",
  postgres: "Microsoft.DBforPostgreSQL/flexibleServers",
  mysql: "Microsoft.DBforMySQL/flexibleServers",
} as const;

/** `denyAction` rule for deletes of the given types (the only action denyAction supports). */
export function azureDenyDelete(ctx: TCtx, purpose: string, displayName: string, types: string[]): TAzurePolicyPart {
  return azurePolicy(ctx, {
    purpose,
    displayName,
    description: `Blocks delete requests on ${types.join(", ")} (denyAction).`,
    mode: "Indexed",
    if: { field: "type", in: [...types].sort() },
    effect: { value: "denyAction", allowed: ["denyAction", "disabled"] },
    details: { actionNames: ["delete"], cascadeBehaviors: { resourceGroup: "deny" } },
  });
}
