import { models as cgModels } from "oci-cloudguard";
import { securityPolicyKey } from "./compare.ts";
import { invalid, isLive, type OciContext, type Recipe, type Zone } from "./context.ts";
import { isOwnedByWorkspaceOci } from "./markers.ts";

/** Reads behind security zones: recipes, zones, and Oracle's security zone policy catalogue (cached). */

export function listRecipes(ctx: OciContext, compartmentId: string, displayName?: string): Promise<Recipe[]> {
  return ctx.pages("ListSecurityRecipes", async (page) => {
    const r = await ctx.clients.cloudGuard.listSecurityRecipes({
      compartmentId,
      limit: ctx.pageLimit,
      lifecycleState: cgModels.LifecycleState.Active,
      ...(displayName ? { displayName } : {}),
      ...(page ? { page } : {}),
    });
    return { items: r.securityRecipeCollection.items, next: r.opcNextPage };
  });
}

export async function findRecipe(ctx: OciContext, compartmentId: string, name: string): Promise<Recipe | undefined> {
  const found = (await listRecipes(ctx, compartmentId, name)).filter(
    (r) => r.displayName === name && r.owner === cgModels.OwnerType.Customer && isLive(r),
  );
  return found.find((r) => isOwnedByWorkspaceOci(r, ctx.ws)) ?? found[0];
}

export async function getRecipe(
  ctx: OciContext,
  securityRecipeId: string,
): Promise<{ recipe: cgModels.SecurityRecipe; etag: string } | undefined> {
  try {
    const r = await ctx.call("GetSecurityRecipe", false, () => ctx.clients.cloudGuard.getSecurityRecipe({ securityRecipeId }));
    return isLive(r.securityRecipe) ? { recipe: r.securityRecipe, etag: r.etag } : undefined;
  } catch (e) {
    if (ctx.isNotFound(e)) return undefined;
    throw e;
  }
}

/** Zones on one compartment, or (subtree) every zone in the tenancy. */
export function listZones(ctx: OciContext, q: { compartmentId: string; subtree?: boolean; securityRecipeId?: string }): Promise<Zone[]> {
  return ctx.pages("ListSecurityZones", async (page) => {
    const r = await ctx.clients.cloudGuard.listSecurityZones({
      compartmentId: q.compartmentId,
      limit: ctx.pageLimit,
      lifecycleState: cgModels.LifecycleState.Active,
      ...(q.subtree ? { isRequiredSecurityZonesInSubtree: true } : {}),
      ...(q.securityRecipeId ? { securityRecipeId: q.securityRecipeId } : {}),
      ...(page ? { page } : {}),
    });
    return { items: r.securityZoneCollection.items, next: r.opcNextPage };
  });
}

export async function securityPolicyCatalog(ctx: OciContext): Promise<{ nameById: Map<string, string>; idByKey: Map<string, string> }> {
  if (ctx.catalog) return ctx.catalog;
  const items = await ctx.pages("ListSecurityPolicies", async (page) => {
    const r = await ctx.clients.cloudGuard.listSecurityPolicies({
      compartmentId: ctx.tenancyId,
      limit: ctx.pageLimit,
      ...(page ? { page } : {}),
    });
    return { items: r.securityPolicyCollection.items, next: r.opcNextPage };
  });
  const nameById = new Map<string, string>();
  const idByKey = new Map<string, string>();
  for (const p of items) {
    const name = p.friendlyName ?? p.displayName ?? p.id;
    nameById.set(p.id, name);
    idByKey.set(securityPolicyKey(name), p.id);
    if (p.displayName) idByKey.set(securityPolicyKey(p.displayName), p.id);
  }
  ctx.catalog = { nameById, idByKey };
  return ctx.catalog;
}

export async function resolveSecurityPolicies(ctx: OciContext, names: string[], operation: string): Promise<string[]> {
  const { idByKey } = await securityPolicyCatalog(ctx);
  const ids: string[] = [];
  for (const n of names) {
    const id = idByKey.get(securityPolicyKey(n));
    if (!id) {
      throw invalid(operation, `OCI has no security zone policy named '${n}' in this tenancy's region.`, "UNKNOWN_SECURITY_POLICY");
    }
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.sort();
}
