import { byString, LimitError } from "../common/limit-error.ts";
import { azureArtifactName, azureAssignmentName, azureOwnerMetadata } from "./markers.ts";
import { AZURE_LIMITS, type TAzurePolicyAssignment, type TAzurePolicyDefinition, type TAzurePolicySetDefinition } from "./types.ts";

/**
 * Azure packing: the policy definitions compiled for the guardrails at one scope become one
 * initiative per enforcement mode and its assignment, within Azure Policy's limits.
 */

/** One compiled policy of a guardrail, as it goes into an initiative. */
export interface TAzurePolicyPart {
  /** Stable reference id inside the initiative: `<guardrail>-<purpose>`. */
  referenceId: string;
  definition: TAzurePolicyDefinition;
  parameters: Record<string, { value: unknown }>;
}

/** What packing needs of a guardrail's compiled Azure fragment. */
export interface TAzurePackFragment {
  guardrailId: string;
  /** `DoNotEnforce` in audit mode. */
  enforcementMode: "Default" | "DoNotEnforce";
  policies: readonly TAzurePolicyPart[];
}

export interface TAzureScopeArtifacts {
  scope: string;
  definitions: TAzurePolicyDefinition[];
  /** One per enforcement mode present at this scope (enforce and audit cannot share an assignment). */
  initiatives: TAzurePolicySetDefinition[];
  assignments: TAzurePolicyAssignment[];
}

/**
 * One initiative per scope (and per enforcement mode), referencing every Parapet definition that
 * applies there, plus its assignment. Definitions live at `definitionScope` (typically the root
 * management group) so every scope below can reference them.
 */
export function buildAzureInitiative(
  scope: string,
  fragments: readonly TAzurePackFragment[],
  opts: { workspaceId: string; definitionScope: string; notScopes?: readonly string[] },
): TAzureScopeArtifacts {
  const definitions = new Map<string, TAzurePolicyDefinition>();
  const initiatives: TAzurePolicySetDefinition[] = [];
  const assignments: TAzurePolicyAssignment[] = [];
  const notScopes = [...new Set(opts.notScopes ?? [])].sort(byString);
  if (notScopes.length > AZURE_LIMITS.notScopesPerAssignment) {
    throw new LimitError(
      "azure",
      "notScopes",
      scope,
      notScopes.length,
      AZURE_LIMITS.notScopesPerAssignment,
      fragments.map((f) => f.guardrailId).sort(byString),
    );
  }
  for (const mode of ["Default", "DoNotEnforce"] as const) {
    const inMode = fragments.filter((f) => f.enforcementMode === mode && f.policies.length > 0);
    if (inMode.length === 0) continue;
    const parts = inMode.flatMap((f) => f.policies).sort((a, b) => byString(a.referenceId, b.referenceId));
    const guardrailIds = [...new Set(inMode.map((f) => f.guardrailId))].sort(byString);
    if (parts.length > AZURE_LIMITS.policiesPerInitiative) {
      throw new LimitError("azure", "policies in one initiative", scope, parts.length, AZURE_LIMITS.policiesPerInitiative, guardrailIds);
    }
    for (const part of parts) definitions.set(part.definition.name, part.definition);
    const initiativeName = azureArtifactName(opts.workspaceId, `initiative|${scope}|${mode}`);
    const initiativeId = `/${opts.definitionScope.replace(/^\//, "")}/providers/Microsoft.Authorization/policySetDefinitions/${initiativeName}`;
    initiatives.push({
      name: initiativeName,
      properties: {
        policyType: "Custom",
        displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"}) for ${scope}`.slice(0, 128),
        description: `Guardrails: ${guardrailIds.join(", ")}`.slice(0, 512),
        metadata: { ...azureOwnerMetadata(opts.workspaceId), category: "Parapet" },
        parameters: {},
        policyDefinitions: parts.map((p) => ({
          policyDefinitionId: `/${opts.definitionScope.replace(/^\//, "")}/providers/Microsoft.Authorization/policyDefinitions/${p.definition.name}`,
          policyDefinitionReferenceId: p.referenceId,
          parameters: p.parameters,
        })),
      },
    });
    assignments.push({
      name: azureAssignmentName(opts.workspaceId, `${scope}|${mode}`),
      properties: {
        displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"})`,
        description: `Guardrails: ${guardrailIds.join(", ")}`.slice(0, 512),
        policyDefinitionId: initiativeId,
        enforcementMode: mode,
        notScopes,
        parameters: {},
        metadata: { ...azureOwnerMetadata(opts.workspaceId), parapetScope: scope },
      },
    });
  }
  return {
    scope,
    definitions: [...definitions.values()].sort((a, b) => byString(a.name, b.name)),
    initiatives,
    assignments,
  };
}
