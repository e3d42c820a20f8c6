import type { DescendantInfo } from "@azure/arm-managementgroups";
import { publicMessage } from "../contract/public-message.ts";
import type { PermissionCheck, VerifyResult } from "../contract/types.ts";
import { ARM_API_VERSIONS } from "./client.ts";
import { deleteAssignment, type AzureContext } from "./context.ts";
import { classifyAzureError } from "./errors.ts";
import { permissionFor } from "./permissions.ts";
import { MG_SCOPE_PREFIX } from "./scope.ts";

export async function verifyAzure(ctx: AzureContext): Promise<VerifyResult> {
  const checks: PermissionCheck[] = [];
  const missing = new Set<string>();
  const root = ctx.rootMg;
  const { policy, mg, arm } = ctx.sdk;
  let rootId: string | undefined;
  let someSubscription: string | undefined;
  const probeName = "parapet-permission-probe";
  const absentDefinition = `/${ctx.rootScope}/providers/Microsoft.Authorization/policyDefinitions/${probeName}-absent`;
  // Reads are probed directly. ARM checks RBAC before it looks at a body, so each write is probed
  // with a request that is invalid in more than one way (a BuiltIn policy type, an unknown mode or
  // effect, an unknown definition or enforcement mode): 400/404 means authorised, 403 names the
  // missing action. Deletes probe a name that does not exist, which ARM answers with 204 when the
  // caller may delete. Should a probe PUT ever be accepted, `undo` removes what it made.
  const probes: Array<{ op: string; write: boolean; run: () => Promise<unknown>; undo?: () => Promise<unknown> }> = [
    {
      op: "ManagementGroups_Get",
      write: false,
      run: async () => {
        const g = await mg.managementGroups.get(root);
        rootId = `${MG_SCOPE_PREFIX}${g.name ?? root}`;
      },
    },
    {
      op: "ManagementGroups_GetDescendants",
      write: false,
      run: async () => {
        const page = await mg.managementGroups.listDescendants(root, { top: 50 }).byPage().next();
        const items: DescendantInfo[] = page.done ? [] : page.value;
        someSubscription = items.find((d) => (d.type ?? "").toLowerCase().endsWith("subscriptions"))?.name;
      },
    },
    {
      op: "Subscriptions_Get",
      write: false,
      run: async () => {
        // Without a subscription in the tree there is nothing to read and nothing to label.
        if (someSubscription) await arm.get(`subscriptions/${someSubscription}`, ARM_API_VERSIONS.subscriptions);
      },
    },
    {
      op: "ActivityLogs_List",
      write: false,
      run: async () => {
        if (!someSubscription) return;
        // The last hour: the API requires a start time, and one page says whether reading is allowed.
        const now = Date.now();
        const filter = `eventTimestamp ge '${new Date(now - 3600_000).toISOString()}' and eventTimestamp le '${new Date(now).toISOString()}'`;
        await ctx.sdk.monitorFor(someSubscription).activityLogs.list(filter, { select: "eventDataId" }).byPage().next();
      },
    },
    {
      op: "PolicyDefinitions_ListByManagementGroup",
      write: false,
      run: () => policy.policyDefinitions.listByManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next(),
    },
    {
      op: "PolicyDefinitions_CreateOrUpdateAtManagementGroup",
      write: true,
      run: () =>
        policy.policyDefinitions.createOrUpdateAtManagementGroup(root, probeName, {
          policyType: "BuiltIn",
          mode: "ParapetProbe",
          displayName: "Parapet permission probe (never created)",
          policyRule: { if: { field: "type", equals: "Parapet.Probe/never" }, then: { effect: "parapetProbe" } },
        }),
      undo: () => policy.policyDefinitions.deleteAtManagementGroup(root, probeName),
    },
    {
      op: "PolicyDefinitions_DeleteAtManagementGroup",
      write: true,
      run: () => policy.policyDefinitions.deleteAtManagementGroup(root, `${probeName}-absent`),
    },
    {
      op: "PolicySetDefinitions_ListByManagementGroup",
      write: false,
      run: () => policy.policySetDefinitions.listByManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next(),
    },
    {
      op: "PolicySetDefinitions_CreateOrUpdateAtManagementGroup",
      write: true,
      run: () =>
        policy.policySetDefinitions.createOrUpdateAtManagementGroup(root, probeName, {
          policyType: "BuiltIn",
          displayName: "Parapet permission probe (never created)",
          policyDefinitions: [{ policyDefinitionId: absentDefinition }],
        }),
      undo: () => policy.policySetDefinitions.deleteAtManagementGroup(root, probeName),
    },
    {
      op: "PolicySetDefinitions_DeleteAtManagementGroup",
      write: true,
      run: () => policy.policySetDefinitions.deleteAtManagementGroup(root, `${probeName}-absent`),
    },
    {
      op: "PolicyAssignments_ListForManagementGroup",
      write: false,
      run: () => policy.policyAssignments.listForManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next(),
    },
    {
      op: "PolicyAssignments_Create",
      write: true,
      run: () =>
        policy.policyAssignments.create(ctx.rootScope, "parapet-probe", {
          policyDefinitionId: absentDefinition,
          enforcementMode: "ParapetProbe",
          displayName: "Parapet permission probe (never created)",
        }),
      undo: () => deleteAssignment(policy, ctx.rootScope, "parapet-probe"),
    },
    { op: "PolicyAssignments_Delete", write: true, run: () => deleteAssignment(policy, ctx.rootScope, "parapet-probe-absent") },
    {
      op: "PolicyExemptions_List",
      write: false,
      run: () => arm.listPage(ctx.exemptionPath(ctx.rootScope), ARM_API_VERSIONS.exemptions, undefined, "atExactScope()"),
    },
    {
      op: "PolicyExemptions_CreateOrUpdate",
      write: true,
      run: () =>
        arm.put(ctx.exemptionPath(ctx.rootScope, probeName), ARM_API_VERSIONS.exemptions, {
          properties: {
            policyAssignmentId: `/${ctx.rootScope}/providers/Microsoft.Authorization/policyAssignments/parapet-probe-absent`,
            exemptionCategory: "ParapetProbe",
          },
        }),
      undo: () => arm.delete(ctx.exemptionPath(ctx.rootScope, probeName), ARM_API_VERSIONS.exemptions),
    },
    {
      op: "PolicyExemptions_Delete",
      write: true,
      run: () => arm.delete(ctx.exemptionPath(ctx.rootScope, `${probeName}-absent`), ARM_API_VERSIONS.exemptions),
    },
  ];
  for (const p of probes) {
    const permission = permissionFor(p.op);
    try {
      await ctx.call(p.op, p.write, p.run);
      if (p.undo) await ctx.call(p.op.replace(/_.*$/, "_Delete"), true, p.undo);
      checks.push({ permission, ok: true, detail: p.op });
    } catch (e) {
      const pe = classifyAzureError(e, p.op);
      const status = (pe.cause as { statusCode?: number } | undefined)?.statusCode;
      if (p.write && (pe.kind === "invalid" || pe.kind === "not_found")) {
        checks.push({
          permission,
          ok: true,
          detail: `${p.op} (authorised; the probe request was rejected as ${pe.code ?? pe.kind}, as intended)`,
        });
      } else if (status === 403) {
        checks.push({ permission, ok: false, detail: publicMessage(pe) });
        missing.add(permission);
      } else {
        // Bad credentials, unreachable endpoint, unknown root, exhausted retries: nothing more to learn.
        return {
          ok: false,
          identity: ctx.identity,
          ...(rootId ? { rootId } : {}),
          checks,
          missing: [...missing],
          error: publicMessage(pe),
        };
      }
    }
  }
  return { ok: missing.size === 0, identity: ctx.identity, ...(rootId ? { rootId } : {}), checks, missing: [...missing] };
}
