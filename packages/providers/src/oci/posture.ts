import { mapLimit } from "../common/concurrency.ts";
import type { PostureInventory, PostureScanRequest } from "../contract/posture.ts";
import { publicMessage } from "../contract/public-message.ts";
import type { OciContext } from "./context.ts";
import { isOwnedByWorkspaceOci } from "./markers.ts";
import { listPolicies } from "./policies.ts";
import { getRecipe, listZones, securityPolicyCatalog } from "./zone-reads.ts";

/**
 * Read-only inventory of the tenancy's own IAM policies (ListPolicies per compartment: policies are
 * compartment resources and do not list subcompartments' — Identity API ListPolicies) and security
 * zones (one ListSecurityZones over the tenancy's subtree, GetSecurityRecipe per distinct recipe, the
 * security-policy catalogue once for names). Parapet's own are left out by their ownership markers.
 */
export async function scanOciPosture(ctx: OciContext, req: PostureScanRequest): Promise<PostureInventory> {
  const inv: PostureInventory = { cloud: "oci", policies: [], unreadable: [] };
  const compartments = req.nodes.filter((n) => n.kind === "tenancy" || n.kind === "compartment").map((n) => n.externalId);
  await mapLimit(compartments, ctx.concurrency, async (compartmentId) => {
    try {
      for (const p of await listPolicies(ctx, compartmentId)) {
        if (isOwnedByWorkspaceOci(p, ctx.ws)) continue;
        inv.policies.push({
          kind: "oci.policy",
          externalId: p.id,
          name: p.name,
          attachments: [compartmentId],
          body: { compartmentId, statements: p.statements },
          size: p.statements.length,
        });
      }
    } catch (e) {
      inv.unreadable.push({ what: `policies in ${compartmentId}`, reason: publicMessage(e) });
    }
  });
  try {
    const zones = await listZones(ctx, { compartmentId: ctx.tenancyId, subtree: true });
    const { nameById } = await securityPolicyCatalog(ctx);
    const recipes = new Map<string, string[]>();
    for (const z of zones) {
      if (isOwnedByWorkspaceOci(z, ctx.ws)) continue;
      let names = recipes.get(z.securityZoneRecipeId);
      if (!names) {
        const r = await getRecipe(ctx, z.securityZoneRecipeId);
        names = (r?.recipe.securityPolicies ?? []).map((id) => nameById.get(id) ?? id);
        recipes.set(z.securityZoneRecipeId, names);
      }
      inv.policies.push({
        kind: "oci.security-zone",
        externalId: z.id,
        name: z.displayName ?? z.id,
        attachments: [z.compartmentId],
        body: { compartmentId: z.compartmentId, recipeId: z.securityZoneRecipeId, policies: names },
        size: names.length,
      });
    }
  } catch (e) {
    inv.unreadable.push({ what: "security zones", reason: publicMessage(e) });
  }
  inv.policies.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  return inv;
}
