import * as common from "oci-common";
import { requests as idRequests } from "oci-identity";
import { publicMessage } from "../contract/public-message.ts";
import type { PermissionCheck, VerifyResult } from "../contract/types.ts";
import { isLive, reason, type OciContext, type Policy } from "./context.ts";
import type { OciClients } from "./client.ts";
import { classifyOciError } from "./errors.ts";
import { DENY_STATEMENTS_PERMISSION, ociDenyGuardFix, permissionFor } from "./permissions.ts";
import { listPolicies } from "./policies.ts";

export async function verifyOci(ctx: OciContext): Promise<VerifyResult> {
  const checks: PermissionCheck[] = [];
  if (ctx.keyProblem) return { ok: false, identity: ctx.userId, checks, missing: [], error: `OCI API key: ${ctx.keyProblem}.` };
  const root = ctx.tenancyId;
  let clients: OciClients;
  try {
    clients = ctx.clients;
  } catch (e) {
    return { ok: false, identity: ctx.userId, checks, missing: [], error: reason(e) };
  }
  const id = clients.identity;
  const cg = clients.cloudGuard;
  let rootId: string | undefined;
  // Reads are probed directly. OCI has no dry-run for writes, so each write is probed with a
  // request that cannot succeed (an empty name): 400 means authorised and validated, while an
  // unauthorised caller gets 404 NotAuthorizedOrNotFound before validation.
  const probes: Array<{ op: string; write: boolean; run: () => Promise<unknown> }> = [
    {
      op: "GetTenancy",
      write: false,
      run: async () => {
        rootId = (await id.getTenancy({ tenancyId: root })).tenancy.id;
      },
    },
    {
      op: "ListCompartments",
      write: false,
      run: () =>
        id.listCompartments({
          compartmentId: root,
          limit: 1,
          compartmentIdInSubtree: true,
          accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
        }),
    },
    { op: "ListPolicies", write: false, run: () => id.listPolicies({ compartmentId: root, limit: 1 }) },
    {
      op: "CreatePolicy",
      write: true,
      run: () =>
        id.createPolicy({
          createPolicyDetails: { compartmentId: root, name: "", description: "Parapet permission probe", statements: [] },
        }),
    },
    { op: "ListSecurityPolicies", write: false, run: () => cg.listSecurityPolicies({ compartmentId: root, limit: 1 }) },
    { op: "ListSecurityRecipes", write: false, run: () => cg.listSecurityRecipes({ compartmentId: root, limit: 1 }) },
    {
      op: "CreateSecurityRecipe",
      write: true,
      run: () => cg.createSecurityRecipe({ createSecurityRecipeDetails: { compartmentId: root, displayName: "", securityPolicies: [] } }),
    },
    { op: "ListTargets", write: false, run: () => cg.listTargets({ compartmentId: root, limit: 1 }) },
    {
      op: "ListEvents",
      write: false,
      run: () => {
        // ListEvents takes whole minutes: the last full minute, read once.
        const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
        return clients.audit.listEvents({ compartmentId: root, startTime: new Date(end.getTime() - 60_000), endTime: end });
      },
    },
    {
      op: "ListUserGroupMemberships",
      write: false,
      run: () => id.listUserGroupMemberships({ compartmentId: root, userId: ctx.userId, limit: 1 }),
    },
    { op: "ListGroups", write: false, run: () => id.listGroups({ compartmentId: root, limit: 1 }) },
    { op: "ListSecurityZones", write: false, run: () => cg.listSecurityZones({ compartmentId: root, limit: 1 }) },
    {
      op: "CreateSecurityZone",
      write: true,
      run: () => cg.createSecurityZone({ createSecurityZoneDetails: { compartmentId: root, displayName: "", securityZoneRecipeId: "" } }),
    },
  ];
  const missing = new Set<string>();
  for (const p of probes) {
    const permission = permissionFor(p.op);
    try {
      await ctx.call(p.op, p.write, p.run);
      checks.push({ permission, ok: true, detail: p.op });
    } catch (e) {
      const pe = classifyOciError(e, p.op);
      if (p.write && pe.kind === "invalid") {
        checks.push({ permission, ok: true, detail: `${p.op} (authorised; the probe request was rejected as invalid, as intended)` });
      } else if (pe.kind === "not_found" || (pe.cause instanceof common.OciError && pe.cause.statusCode === 403)) {
        checks.push({ permission, ok: false, detail: `${p.op} answered ${pe.code ?? pe.kind}` });
        missing.add(permission);
      } else {
        // Bad signature, unreachable endpoint, exhausted retries: nothing more can be learnt.
        return { ok: false, identity: ctx.userId, ...(rootId ? { rootId } : {}), checks, missing: [...missing], error: publicMessage(pe) };
      }
    }
  }
  if (checks.some((c) => c.ok && c.detail === "ListPolicies")) {
    const guard = await denyGuardCheck(ctx);
    checks.push(guard);
    if (!guard.ok) missing.add(guard.permission);
  }
  return { ok: missing.size === 0, identity: ctx.userId, ...(rootId ? { rootId } : {}), checks, missing: [...missing] };
}
/**
 * Reads the root policies for the deny-policy guard OCI creates when IAM deny policies are enabled
 * and says exactly which statement to replace when it does not except the connector: until then
 * OCI refuses every policy Parapet writes that holds a deny statement.
 */
async function denyGuardCheck(ctx: OciContext): Promise<PermissionCheck> {
  let policies: Policy[];
  try {
    policies = await listPolicies(ctx, ctx.tenancyId);
  } catch (e) {
    return {
      permission: DENY_STATEMENTS_PERMISSION,
      ok: false,
      detail: `The root policies could not be read to look for the deny-policy guard: ${reason(e)}`,
    };
  }
  for (const p of policies.filter(isLive)) {
    for (const st of p.statements) {
      const fix = ociDenyGuardFix(st, ctx.userId);
      if (fix === undefined) continue;
      return {
        permission: DENY_STATEMENTS_PERMISSION,
        ok: false,
        detail: `Root policy '${p.name}' (${p.id}) lets only listed principals and the Administrators group write deny statements, so OCI refuses Parapet's deny-based guardrails. In that policy replace the statement "${st}" with "${fix}".`,
      };
    }
  }
  return { permission: DENY_STATEMENTS_PERMISSION, ok: true, detail: "no root policy keeps the connector from writing deny statements" };
}
