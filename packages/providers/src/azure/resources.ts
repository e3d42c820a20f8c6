import type { PolicyAssignment, PolicyDefinition, PolicySetDefinition } from "@azure/arm-policy";
import type { ObservedArtifact } from "../contract/types.ts";
import { ARM_API_VERSIONS } from "./client.ts";
import { assignmentFromCloud, definitionFromCloud, exemptionFromCloud, setDefinitionFromCloud } from "./compare.ts";
import { isObj, policyToken, type AzureContext, type Found } from "./context.ts";
import { isOwnedByWorkspaceAzure } from "./markers.ts";
import { armResourceId, type PolicyArtifactKind } from "./scope.ts";

/** Reads of the four policy resource kinds, by name or by listing one scope, as Found records. */

function found(ctx: AzureContext, kind: PolicyArtifactKind, raw: unknown, name: string): Found {
  const r = isObj(raw) ? raw : {};
  const id = typeof r.id === "string" ? r.id : "";
  switch (kind) {
    case "azure.policy-definition": {
      const d = raw as PolicyDefinition;
      return {
        id,
        body: definitionFromCloud(d, name),
        owned: isOwnedByWorkspaceAzure({ properties: { metadata: d.metadata as Record<string, unknown> } }, ctx.ws),
        metadata: d.metadata,
      };
    }
    case "azure.policy-set-definition": {
      const s = raw as PolicySetDefinition;
      return {
        id,
        body: setDefinitionFromCloud(s, name),
        owned: isOwnedByWorkspaceAzure({ properties: { metadata: s.metadata as Record<string, unknown> } }, ctx.ws),
        metadata: s.metadata,
      };
    }
    case "azure.policy-assignment": {
      const a = raw as PolicyAssignment;
      return {
        id,
        body: assignmentFromCloud(a, name),
        owned: isOwnedByWorkspaceAzure({ properties: { metadata: a.metadata as Record<string, unknown> } }, ctx.ws),
        metadata: a.metadata,
        keep: a.nonComplianceMessages?.length ? { nonComplianceMessages: a.nonComplianceMessages } : {},
      };
    }
    case "azure.policy-exemption": {
      const p = isObj(r.properties) ? r.properties : {};
      return {
        id,
        body: exemptionFromCloud(r, name),
        owned: isOwnedByWorkspaceAzure({ properties: { metadata: p.metadata as Record<string, unknown> } }, ctx.ws),
        metadata: p.metadata,
      };
    }
  }
}

/** GET one policy resource by scope and name; undefined when it does not exist. */
export async function read(ctx: AzureContext, kind: PolicyArtifactKind, scope: string, name: string): Promise<Found | undefined> {
  const s = ctx.scopeOf(scope, "read");
  const { policy } = ctx.sdk;
  let raw: unknown;
  switch (kind) {
    case "azure.policy-definition":
      raw = await ctx.orUndefined(
        s.kind === "mg"
          ? ctx.call("PolicyDefinitions_GetAtManagementGroup", false, () => policy.policyDefinitions.getAtManagementGroup(s.mg, name))
          : ctx.call("PolicyDefinitions_Get", false, () => ctx.sdk.policyFor(s.sub).policyDefinitions.get(name)),
      );
      break;
    case "azure.policy-set-definition":
      raw = await ctx.orUndefined(
        s.kind === "mg"
          ? ctx.call("PolicySetDefinitions_GetAtManagementGroup", false, () => policy.policySetDefinitions.getAtManagementGroup(s.mg, name))
          : ctx.call("PolicySetDefinitions_Get", false, () => ctx.sdk.policyFor(s.sub).policySetDefinitions.get(name)),
      );
      break;
    case "azure.policy-assignment":
      raw = await ctx.orUndefined(ctx.call("PolicyAssignments_Get", false, () => policy.policyAssignments.get(scope, name)));
      break;
    case "azure.policy-exemption":
      raw = await ctx.orUndefined(
        ctx.call("PolicyExemptions_Get", false, () => ctx.sdk.arm.get(ctx.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions)),
      );
      break;
  }
  return raw === undefined ? undefined : found(ctx, kind, raw, name);
}

/** Every policy resource of a kind at exactly this scope (not inherited, not below). */
export async function list(ctx: AzureContext, kind: PolicyArtifactKind, scope: string): Promise<Array<{ name: string; found: Found }>> {
  const s = ctx.scopeOf(scope, "list");
  const { policy } = ctx.sdk;
  const exact = { filter: "atExactScope()" };
  let raws: Array<{ name?: string }>;
  switch (kind) {
    case "azure.policy-definition":
      raws =
        s.kind === "mg"
          ? await ctx.sdkPages(
              "PolicyDefinitions_ListByManagementGroup",
              (t) => policy.policyDefinitions.listByManagementGroup(s.mg, exact).byPage({ continuationToken: t }),
              policyToken,
            )
          : await ctx.sdkPages(
              "PolicyDefinitions_List",
              (t) => ctx.sdk.policyFor(s.sub).policyDefinitions.list(exact).byPage({ continuationToken: t }),
              policyToken,
            );
      break;
    case "azure.policy-set-definition":
      raws =
        s.kind === "mg"
          ? await ctx.sdkPages(
              "PolicySetDefinitions_ListByManagementGroup",
              (t) => policy.policySetDefinitions.listByManagementGroup(s.mg, exact).byPage({ continuationToken: t }),
              policyToken,
            )
          : await ctx.sdkPages(
              "PolicySetDefinitions_List",
              (t) => ctx.sdk.policyFor(s.sub).policySetDefinitions.list(exact).byPage({ continuationToken: t }),
              policyToken,
            );
      break;
    case "azure.policy-assignment":
      raws =
        s.kind === "mg"
          ? await ctx.sdkPages(
              "PolicyAssignments_ListForManagementGroup",
              (t) => policy.policyAssignments.listForManagementGroup(s.mg, exact).byPage({ continuationToken: t }),
              policyToken,
            )
          : await ctx.sdkPages(
              "PolicyAssignments_List",
              (t) => ctx.sdk.policyFor(s.sub).policyAssignments.list(exact).byPage({ continuationToken: t }),
              policyToken,
            );
      break;
    case "azure.policy-exemption":
      raws = await ctx.pages("PolicyExemptions_List", async (t) => {
        const p = await ctx.sdk.arm.listPage(ctx.exemptionPath(scope), ARM_API_VERSIONS.exemptions, t, "atExactScope()");
        return { items: p.value, next: p.nextLink };
      });
      break;
  }
  return raws.filter((r) => typeof r.name === "string").map((r) => ({ name: r.name!, found: found(ctx, kind, r, r.name!) }));
}

/** PUT the desired body, keeping annotations and settings that others added and Parapet does not manage. */
export function toObserved(kind: PolicyArtifactKind, name: string, scope: string, f: Found): ObservedArtifact {
  return { kind, name, externalId: f.id || armResourceId(scope, kind, name), body: f.body, attachments: [scope], owned: f.owned };
}
