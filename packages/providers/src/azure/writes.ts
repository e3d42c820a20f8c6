import type { PolicyAssignment, PolicyDefinition, PolicySetDefinition } from "@azure/arm-policy";
import { ARM_API_VERSIONS } from "./client.ts";
import { foreignMetadata } from "./compare.ts";
import { deleteAssignment, invalid, isObj, type AzureContext, type Found } from "./context.ts";
import { armResourceId, type PolicyArtifactKind } from "./scope.ts";
import type { TAzurePolicyAssignment, TAzurePolicyDefinition, TAzurePolicyExemption, TAzurePolicySetDefinition } from "./types.ts";

/** Writes (PUT, DELETE) of the four policy resource kinds at a management group or subscription scope. */

export async function put(
  ctx: AzureContext,
  kind: PolicyArtifactKind,
  scope: string,
  name: string,
  body: unknown,
  existing: Found | undefined,
  operation: string,
): Promise<string> {
  const s = ctx.scopeOf(scope, operation);
  if (!isObj(body) || !isObj(body.properties)) throw invalid(operation, `The desired ${kind} ${name} has no properties.`, "INVALID_BODY");
  const desiredMeta = isObj(body.properties.metadata) ? body.properties.metadata : {};
  const metadata = { ...foreignMetadata(existing?.metadata, desiredMeta), ...desiredMeta };
  const { policy } = ctx.sdk;
  let raw: { id?: string };
  switch (kind) {
    case "azure.policy-definition": {
      const p = (body as unknown as TAzurePolicyDefinition).properties;
      const params: PolicyDefinition = {
        policyType: p.policyType,
        mode: p.mode,
        displayName: p.displayName,
        description: p.description,
        policyRule: p.policyRule,
        parameters: p.parameters,
        metadata,
      };
      raw =
        s.kind === "mg"
          ? await ctx.call("PolicyDefinitions_CreateOrUpdateAtManagementGroup", true, () =>
              policy.policyDefinitions.createOrUpdateAtManagementGroup(s.mg, name, params),
            )
          : await ctx.call("PolicyDefinitions_CreateOrUpdate", true, () =>
              ctx.sdk.policyFor(s.sub).policyDefinitions.createOrUpdate(name, params),
            );
      break;
    }
    case "azure.policy-set-definition": {
      const p = (body as unknown as TAzurePolicySetDefinition).properties;
      const params: PolicySetDefinition = {
        policyType: p.policyType,
        displayName: p.displayName,
        description: p.description,
        metadata,
        parameters: p.parameters,
        policyDefinitions: p.policyDefinitions.map((r) => ({
          policyDefinitionId: r.policyDefinitionId,
          policyDefinitionReferenceId: r.policyDefinitionReferenceId,
          parameters: r.parameters,
        })),
      };
      raw =
        s.kind === "mg"
          ? await ctx.call("PolicySetDefinitions_CreateOrUpdateAtManagementGroup", true, () =>
              policy.policySetDefinitions.createOrUpdateAtManagementGroup(s.mg, name, params),
            )
          : await ctx.call("PolicySetDefinitions_CreateOrUpdate", true, () =>
              ctx.sdk.policyFor(s.sub).policySetDefinitions.createOrUpdate(name, params),
            );
      break;
    }
    case "azure.policy-assignment": {
      const p = (body as unknown as TAzurePolicyAssignment).properties;
      const params: PolicyAssignment = {
        displayName: p.displayName,
        description: p.description,
        policyDefinitionId: p.policyDefinitionId,
        enforcementMode: p.enforcementMode,
        notScopes: p.notScopes,
        parameters: p.parameters,
        metadata,
        ...(existing?.keep ?? {}),
      };
      raw = await ctx.call("PolicyAssignments_Create", true, () => policy.policyAssignments.create(scope, name, params));
      break;
    }
    case "azure.policy-exemption": {
      const p = (body as unknown as TAzurePolicyExemption).properties;
      raw = await ctx.call("PolicyExemptions_CreateOrUpdate", true, () =>
        ctx.sdk.arm.put(ctx.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions, { properties: { ...p, metadata } }),
      );
      break;
    }
  }
  return raw.id ?? armResourceId(scope, kind, name);
}

export async function del(ctx: AzureContext, kind: PolicyArtifactKind, scope: string, name: string): Promise<void> {
  const s = ctx.scopeOf(scope, "delete");
  const { policy } = ctx.sdk;
  const run = async (): Promise<void> => {
    switch (kind) {
      case "azure.policy-definition":
        if (s.kind === "mg")
          await ctx.call("PolicyDefinitions_DeleteAtManagementGroup", true, () =>
            policy.policyDefinitions.deleteAtManagementGroup(s.mg, name),
          );
        else await ctx.call("PolicyDefinitions_Delete", true, () => ctx.sdk.policyFor(s.sub).policyDefinitions.delete(name));
        return;
      case "azure.policy-set-definition":
        if (s.kind === "mg")
          await ctx.call("PolicySetDefinitions_DeleteAtManagementGroup", true, () =>
            policy.policySetDefinitions.deleteAtManagementGroup(s.mg, name),
          );
        else await ctx.call("PolicySetDefinitions_Delete", true, () => ctx.sdk.policyFor(s.sub).policySetDefinitions.delete(name));
        return;
      case "azure.policy-assignment":
        await ctx.call("PolicyAssignments_Delete", true, () => deleteAssignment(policy, scope, name));
        return;
      case "azure.policy-exemption":
        await ctx.call("PolicyExemptions_Delete", true, () =>
          ctx.sdk.arm.delete(ctx.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions),
        );
        return;
    }
  };
  await ctx.orUndefined(run());
}
