import type { PolicyDefinition, PolicySetDefinition } from "@azure/arm-policy";
import { mapLimit } from "../common/concurrency.ts";
import type { ForeignPolicy, PostureInventory, PostureScanRequest } from "../contract/posture.ts";
import { definitionFromCloud } from "./compare.ts";
import { reason, type AzureContext } from "./context.ts";
import { list } from "./resources.ts";
import type { TAzurePolicyDefinition } from "./types.ts";

/** One policy of a foreign assignment, resolved so its rule is evaluable without further reads. */
interface TAzureForeignPart {
  referenceId: string;
  definition: TAzurePolicyDefinition;
  parameters: Record<string, { value: unknown }>;
}

/** `ForeignPolicy.body` of an `azure.policy-assignment`. */
interface TAzureForeignAssignment {
  scope: string;
  policyDefinitionId: string;
  enforcementMode: "Default" | "DoNotEnforce";
  notScopes: string[];
  parameters: Record<string, { value: unknown }>;
  policies: TAzureForeignPart[];
}

type DefRef = { kind: "definition" | "set"; where: "builtin" | "mg" | "sub"; at: string; name: string };

/**
 * A policy (set) definition id as ARM writes it (Azure Policy definition structure, "id"):
 * `/providers/Microsoft.Authorization/policyDefinitions/{name}` (built-in),
 * `/providers/Microsoft.Management/managementGroups/{mg}/providers/Microsoft.Authorization/policy[Set]Definitions/{name}`,
 * `/subscriptions/{sub}/providers/Microsoft.Authorization/policy[Set]Definitions/{name}`.
 */
function parseDefinitionId(id: string): DefRef | undefined {
  const m =
    /^\/?(?:(providers\/Microsoft\.Management\/managementGroups\/([^/]+))|(subscriptions\/([^/]+)))?\/?providers\/Microsoft\.Authorization\/(policyDefinitions|policySetDefinitions)\/([^/]+)$/i.exec(
      id,
    );
  if (!m) return undefined;
  const kind = m[5]!.toLowerCase() === "policysetdefinitions" ? "set" : "definition";
  if (m[2]) return { kind, where: "mg", at: m[2], name: m[6]! };
  if (m[4]) return { kind, where: "sub", at: m[4], name: m[6]! };
  return { kind, where: "builtin", at: "", name: m[6]! };
}

/** `[parameters('x')]` inside an initiative's reference takes the initiative's parameter x. */
function resolveValue(v: unknown, setParams: Record<string, unknown>): unknown {
  if (typeof v !== "string") return v;
  const m = /^\[parameters\('([^']+)'\)\]$/.exec(v.trim());
  return m ? setParams[m[1]!] : v;
}

/**
 * Read-only inventory of the policy assignments and exemptions at each management group and
 * subscription that Parapet does not own, each assignment with its definition or initiative resolved
 * (built-ins included). Calls: 2 listings per scope (atExactScope, so nothing is counted twice) plus
 * one GET per distinct definition/initiative referenced, cached for the scan.
 */
export async function scanAzurePosture(ctx: AzureContext, req: PostureScanRequest): Promise<PostureInventory> {
  const inv: PostureInventory = { cloud: "azure", policies: [], unreadable: [] };
  const defs = new Map<string, Promise<PolicyDefinition | PolicySetDefinition>>();
  const getDef = (ref: DefRef): Promise<PolicyDefinition | PolicySetDefinition> => {
    const key = `${ref.kind}|${ref.where}|${ref.at}|${ref.name}`.toLowerCase();
    let p = defs.get(key);
    if (!p) {
      const { policy } = ctx.sdk;
      const ops = ref.kind === "set" ? "PolicySetDefinitions" : "PolicyDefinitions";
      p =
        ref.kind === "set"
          ? ref.where === "builtin"
            ? ctx.call(`${ops}_GetBuiltIn`, false, () => policy.policySetDefinitions.getBuiltIn(ref.name))
            : ref.where === "mg"
              ? ctx.call(`${ops}_GetAtManagementGroup`, false, () => policy.policySetDefinitions.getAtManagementGroup(ref.at, ref.name))
              : ctx.call(`${ops}_Get`, false, () => ctx.sdk.policyFor(ref.at).policySetDefinitions.get(ref.name))
          : ref.where === "builtin"
            ? ctx.call(`${ops}_GetBuiltIn`, false, () => policy.policyDefinitions.getBuiltIn(ref.name))
            : ref.where === "mg"
              ? ctx.call(`${ops}_GetAtManagementGroup`, false, () => policy.policyDefinitions.getAtManagementGroup(ref.at, ref.name))
              : ctx.call(`${ops}_Get`, false, () => ctx.sdk.policyFor(ref.at).policyDefinitions.get(ref.name));
      defs.set(key, p);
    }
    return p;
  };

  const scopes = req.nodes
    .filter((n) => n.kind === "management-group" || n.kind === "subscription")
    .map((n) => n.externalId.replace(/^\/+/, ""));
  await mapLimit(scopes, ctx.concurrency, async (scope) => {
    try {
      for (const { name, found } of await list(ctx, "azure.policy-exemption", scope)) {
        if (found.owned) continue;
        const b = found.body as {
          properties: {
            policyAssignmentId: string;
            policyDefinitionReferenceIds: string[];
            exemptionCategory: string;
            displayName: string;
          };
        };
        inv.policies.push({
          kind: "azure.policy-exemption",
          externalId: found.id,
          name: b.properties.displayName || name,
          attachments: [scope],
          body: { scope, ...b.properties },
          size: 0,
        });
      }
    } catch (e) {
      inv.unreadable.push({ what: `exemptions at ${scope}`, reason: reason(e) });
    }
    let assignments: Awaited<ReturnType<typeof list>>;
    try {
      assignments = await list(ctx, "azure.policy-assignment", scope);
    } catch (e) {
      inv.unreadable.push({ what: `assignments at ${scope}`, reason: reason(e) });
      return;
    }
    for (const { name, found } of assignments) {
      if (found.owned) continue;
      const a = found.body as {
        properties: {
          displayName: string;
          policyDefinitionId: string;
          enforcementMode: "Default" | "DoNotEnforce";
          notScopes: string[];
          parameters: Record<string, { value: unknown }>;
        };
      };
      const ref = parseDefinitionId(a.properties.policyDefinitionId);
      try {
        if (!ref) throw new Error(`unrecognised policy definition id ${a.properties.policyDefinitionId}`);
        const raw = await getDef(ref);
        const policies: TAzureForeignPart[] = [];
        let builtin = ref.where === "builtin";
        if (ref.kind === "definition") {
          policies.push({
            referenceId: name,
            definition: definitionFromCloud(raw, ref.name),
            parameters: a.properties.parameters,
          });
        } else {
          const set = raw as PolicySetDefinition;
          const setParams: Record<string, unknown> = {};
          for (const [k, d] of Object.entries(set.parameters ?? {}))
            setParams[k] = a.properties.parameters[k]?.value ?? (d as { defaultValue?: unknown }).defaultValue;
          for (const r of set.policyDefinitions ?? []) {
            const dref = parseDefinitionId(r.policyDefinitionId);
            if (!dref) continue;
            builtin &&= dref.where === "builtin";
            const def = definitionFromCloud(await getDef(dref), dref.name);
            const parameters: Record<string, { value: unknown }> = {};
            for (const [k, v] of Object.entries(r.parameters ?? {})) parameters[k] = { value: resolveValue(v.value, setParams) };
            policies.push({ referenceId: r.policyDefinitionReferenceId ?? dref.name, definition: def, parameters });
          }
        }
        const body: TAzureForeignAssignment = {
          scope,
          policyDefinitionId: a.properties.policyDefinitionId,
          enforcementMode: a.properties.enforcementMode,
          notScopes: a.properties.notScopes,
          parameters: a.properties.parameters,
          policies,
        };
        const policy: ForeignPolicy = {
          kind: "azure.policy-assignment",
          externalId: found.id,
          name: a.properties.displayName || name,
          attachments: [scope],
          body,
          size: 0,
          ...(builtin ? { managedBy: "builtin" } : {}),
        };
        inv.policies.push(policy);
      } catch (e) {
        inv.unreadable.push({ what: `assignment ${name} at ${scope}`, reason: reason(e) });
      }
    }
  });
  inv.policies.sort((x, y) => (x.externalId < y.externalId ? -1 : x.externalId > y.externalId ? 1 : 0));
  return inv;
}
