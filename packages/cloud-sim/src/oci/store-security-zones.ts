import { SECURITY_ZONE_POLICIES } from "./catalog.ts";
import { conflict, invalid, limitExceeded, noEtagMatch, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import type { OciSecurityRecipe, OciSecurityZone } from "./model.ts";
import { sortItems, type Actor } from "./store-common.ts";
import { OciPolicies } from "./store-policies.ts";
import { replaceTargetsForZone } from "./targets.ts";
import { asObject, bool, definedTags, freeformTags, str, strArray } from "./validate.ts";

/** Cloud Guard security zones and their recipes (the zone's Cloud Guard target is in targets.ts). */
export class OciSecurityZones extends OciPolicies {
  // ---------------------------------------------------------------- Cloud Guard: recipes

  private checkPolicyIds(ids: string[]): void {
    for (const id of ids) {
      if (!SECURITY_ZONE_POLICIES.some((p) => p.id === id)) throw invalid(`Security policy ${id} does not exist.`);
    }
    if (new Set(ids).size !== ids.length) throw invalid("Parameter 'securityPolicies' contains duplicates.");
  }

  createRecipe(body: unknown, actor: Actor): OciSecurityRecipe {
    const o = asObject(body, "CreateSecurityRecipeDetails");
    const displayName = str(o, "displayName", { required: true, max: 255 }) as string;
    const description = str(o, "description", { max: 400 }) ?? "";
    const securityPolicies = strArray(o, "securityPolicies", { required: true, maxItems: 200 }) as string[];
    const compartmentId = str(o, "compartmentId", { required: true }) as string;
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(compartmentId);
    this.checkPolicyIds(securityPolicies);
    const customer = [...this.recipes.values()].filter((r) => r.owner === "CUSTOMER" && r.lifecycleState === "ACTIVE");
    if (customer.length >= this.limits.securityRecipesPerTenancy) {
      throw limitExceeded(
        `The tenancy already has the maximum number of security zone recipes (${this.limits.securityRecipesPerTenancy}).`,
      );
    }
    const t = this.iso();
    const r: OciSecurityRecipe = {
      id: makeOcid(this.rand, "securityzonessecurityrecipe"),
      displayName,
      description,
      compartmentId,
      owner: "CUSTOMER",
      securityPolicies: [...securityPolicies],
      timeCreated: t,
      timeUpdated: t,
      lifecycleState: "ACTIVE",
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.recipes.set(r.id, r);
    this.emitRecipe("createsecurityrecipe", r, actor);
    return r;
  }

  getRecipe(id: string): OciSecurityRecipe {
    const r = this.recipes.get(id);
    if (!r || r.lifecycleState === "DELETED") throw notFound();
    return r;
  }

  updateRecipe(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciSecurityRecipe {
    const r = this.getRecipe(id);
    if (ifMatch !== undefined && ifMatch !== r.etag) throw noEtagMatch();
    if (r.owner === "ORACLE") throw invalid("Oracle-managed security zone recipes cannot be modified.");
    const o = asObject(body, "UpdateSecurityRecipeDetails");
    const displayName = str(o, "displayName", { max: 255, min: 1 });
    const description = str(o, "description", { max: 400 });
    const securityPolicies = strArray(o, "securityPolicies", { maxItems: 200 });
    const ff = freeformTags(o);
    const dt = definedTags(o);
    if (securityPolicies !== undefined) this.checkPolicyIds(securityPolicies);
    if (displayName !== undefined) r.displayName = displayName;
    if (description !== undefined) r.description = description;
    if (securityPolicies !== undefined) r.securityPolicies = [...securityPolicies];
    if (ff !== undefined) r.freeformTags = ff;
    if (dt !== undefined) r.definedTags = dt;
    r.timeUpdated = this.iso();
    r.etag = makeEtag(this.rand);
    this.emitRecipe("updatesecurityrecipe", r, actor);
    return r;
  }

  deleteRecipe(id: string, ifMatch: string | undefined, actor: Actor): void {
    const r = this.getRecipe(id);
    if (ifMatch !== undefined && ifMatch !== r.etag) throw noEtagMatch();
    if (r.owner === "ORACLE") throw invalid("Oracle-managed security zone recipes cannot be deleted.");
    const user = [...this.zones.values()].find((z) => z.securityZoneRecipeId === id && z.lifecycleState === "ACTIVE");
    if (user)
      throw conflict("Conflict", `Security zone recipe ${id} is used by security zone '${user.displayName}' and cannot be deleted.`);
    this.recipes.delete(id);
    r.lifecycleState = "DELETED";
    this.emitRecipe("deletesecurityrecipe", r, actor);
  }

  listRecipes(q: {
    compartmentId: string;
    displayName?: string;
    id?: string;
    lifecycleState?: string;
    sortBy?: string;
    sortOrder?: string;
  }): OciSecurityRecipe[] {
    this.activeCompartment(q.compartmentId);
    let all = [...this.recipes.values()].filter(
      (r) => r.compartmentId === q.compartmentId || (r.owner === "ORACLE" && this.isRoot(q.compartmentId)),
    );
    if (q.displayName !== undefined) all = all.filter((r) => r.displayName === q.displayName);
    if (q.id !== undefined) all = all.filter((r) => r.id === q.id);
    if (q.lifecycleState !== undefined) all = all.filter((r) => r.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (r) => r.displayName);
  }

  private emitRecipe(action: string, r: OciSecurityRecipe, actor: Actor): void {
    this.onMutation({
      service: "cloudguard",
      action,
      resourceId: r.id,
      resourceName: r.displayName,
      compartmentId: r.compartmentId,
      freeformTags: r.freeformTags,
      definedTags: r.definedTags,
      additionalDetails: { lifecycleState: r.lifecycleState, securityPolicies: r.securityPolicies },
      actor,
    });
  }

  // ---------------------------------------------------------------- Cloud Guard: zones

  zoneOfCompartment(compartmentId: string): OciSecurityZone | undefined {
    for (const z of this.zones.values()) if (z.compartmentId === compartmentId && z.lifecycleState === "ACTIVE") return z;
    return undefined;
  }

  /** Compartments below the zone's own that have no zone of their own inherit it. */
  inheritedBy(z: OciSecurityZone): string[] {
    const out: string[] = [];
    const walk = (id: string): void => {
      for (const ch of this.children.get(id) ?? []) {
        const c = this.compartments.get(ch);
        if (!c || c.lifecycleState !== "ACTIVE" || this.zoneOfCompartment(ch)) continue;
        out.push(ch);
        walk(ch);
      }
    };
    walk(z.compartmentId);
    return out;
  }

  createZone(body: unknown, actor: Actor): OciSecurityZone {
    const o = asObject(body, "CreateSecurityZoneDetails");
    const displayName = str(o, "displayName", { required: true, max: 255 }) as string;
    const description = str(o, "description", { max: 400 }) ?? "";
    const recipeId = str(o, "securityZoneRecipeId", { required: true }) as string;
    const compartmentId = str(o, "compartmentId", { required: true }) as string;
    const inherit = bool(o, "isInheritanceAfterDeleteEnabled") ?? false;
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(compartmentId);
    this.getRecipe(recipeId);
    const existing = this.zoneOfCompartment(compartmentId);
    if (existing) {
      throw conflict("Conflict", `Compartment ${compartmentId} is already associated with security zone '${existing.displayName}'.`);
    }
    for (const z of this.zones.values()) {
      if (z.lifecycleState === "ACTIVE" && z.displayName === displayName) {
        throw conflict("Conflict", `A security zone named '${displayName}' already exists.`);
      }
    }
    if ([...this.zones.values()].filter((z) => z.lifecycleState === "ACTIVE").length >= this.limits.securityZonesPerTenancy) {
      throw limitExceeded(`The tenancy already has the maximum number of security zones (${this.limits.securityZonesPerTenancy}).`);
    }
    const t = this.iso();
    const z: OciSecurityZone = {
      id: makeOcid(this.rand, "securityzonessecurityzone"),
      displayName,
      description,
      compartmentId,
      securityZoneRecipeId: recipeId,
      securityZoneTargetId: replaceTargetsForZone(this, compartmentId, displayName).zoneTarget.id,
      timeCreated: t,
      timeUpdated: t,
      lifecycleState: "ACTIVE",
      isInheritanceAfterDeleteEnabled: inherit,
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.zones.set(z.id, z);
    this.emitZone("createsecurityzone", z, actor);
    return z;
  }

  getZone(id: string): OciSecurityZone {
    const z = this.zones.get(id);
    if (!z || z.lifecycleState === "DELETED") throw notFound();
    return z;
  }

  updateZone(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciSecurityZone {
    const z = this.getZone(id);
    if (ifMatch !== undefined && ifMatch !== z.etag) throw noEtagMatch();
    const o = asObject(body, "UpdateSecurityZoneDetails");
    const displayName = str(o, "displayName", { max: 255, min: 1 });
    const description = str(o, "description", { max: 400 });
    const recipeId = str(o, "securityZoneRecipeId");
    const inherit = bool(o, "isInheritanceAfterDeleteEnabled");
    const ff = freeformTags(o);
    const dt = definedTags(o);
    if (recipeId !== undefined) this.getRecipe(recipeId);
    if (displayName !== undefined && displayName !== z.displayName) {
      for (const other of this.zones.values()) {
        if (other.lifecycleState === "ACTIVE" && other.displayName === displayName) {
          throw conflict("Conflict", `A security zone named '${displayName}' already exists.`);
        }
      }
      z.displayName = displayName;
    }
    if (description !== undefined) z.description = description;
    if (recipeId !== undefined) z.securityZoneRecipeId = recipeId;
    if (inherit !== undefined) z.isInheritanceAfterDeleteEnabled = inherit;
    if (ff !== undefined) z.freeformTags = ff;
    if (dt !== undefined) z.definedTags = dt;
    z.timeUpdated = this.iso();
    z.etag = makeEtag(this.rand);
    this.emitZone("updatesecurityzone", z, actor);
    return z;
  }

  deleteZone(id: string, ifMatch: string | undefined, actor: Actor): void {
    const z = this.getZone(id);
    if (ifMatch !== undefined && ifMatch !== z.etag) throw noEtagMatch();
    this.targets.delete(z.securityZoneTargetId);
    this.zones.delete(id);
    z.lifecycleState = "DELETED";
    this.emitZone("deletesecurityzone", z, actor);
  }

  listZones(q: {
    compartmentId: string;
    displayName?: string;
    id?: string;
    securityRecipeId?: string;
    inSubtree?: boolean;
    lifecycleState?: string;
    sortBy?: string;
    sortOrder?: string;
  }): OciSecurityZone[] {
    this.activeCompartment(q.compartmentId);
    let all = [...this.zones.values()].filter((z) =>
      q.inSubtree ? this.isDescendantOrSelf(z.compartmentId, q.compartmentId) : z.compartmentId === q.compartmentId,
    );
    if (q.displayName !== undefined) all = all.filter((z) => z.displayName === q.displayName);
    if (q.id !== undefined) all = all.filter((z) => z.id === q.id);
    if (q.securityRecipeId !== undefined) all = all.filter((z) => z.securityZoneRecipeId === q.securityRecipeId);
    if (q.lifecycleState !== undefined) all = all.filter((z) => z.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (z) => z.displayName);
  }

  private emitZone(action: string, z: OciSecurityZone, actor: Actor): void {
    this.onMutation({
      service: "cloudguard",
      action,
      resourceId: z.id,
      resourceName: z.displayName,
      compartmentId: z.compartmentId,
      freeformTags: z.freeformTags,
      definedTags: z.definedTags,
      additionalDetails: { lifecycleState: z.lifecycleState, securityZoneRecipeId: z.securityZoneRecipeId },
      actor,
    });
  }
}
