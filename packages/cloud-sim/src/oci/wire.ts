import { CATALOG_TIME } from "./catalog.ts";
import type { OciCompartment, OciPolicy, OciSecurityPolicy, OciSecurityRecipe, OciSecurityZone, OciTenancy } from "./model.ts";
import type { OciStore } from "./store.ts";

/** Response bodies exactly as the SDK models name their fields (etags travel in the `etag` header). */

export function compartmentWire(c: OciCompartment): Record<string, unknown> {
  return {
    id: c.id,
    compartmentId: c.compartmentId,
    name: c.name,
    description: c.description,
    timeCreated: c.timeCreated,
    lifecycleState: c.lifecycleState,
    isAccessible: true,
    freeformTags: c.freeformTags,
    definedTags: c.definedTags,
  };
}

export function tenancyWire(t: OciTenancy): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    homeRegionKey: t.homeRegionKey,
    freeformTags: t.freeformTags,
    definedTags: t.definedTags,
  };
}

export function policyWire(p: OciPolicy): Record<string, unknown> {
  return {
    id: p.id,
    compartmentId: p.compartmentId,
    name: p.name,
    statements: p.statements,
    description: p.description,
    timeCreated: p.timeCreated,
    lifecycleState: p.lifecycleState,
    ...(p.versionDate !== undefined ? { versionDate: p.versionDate } : {}),
    freeformTags: p.freeformTags,
    definedTags: p.definedTags,
  };
}

export function securityPolicyWire(p: OciSecurityPolicy, tenancyId: string): Record<string, unknown> {
  return {
    id: p.id,
    friendlyName: p.friendlyName,
    displayName: p.displayName,
    description: p.description,
    compartmentId: tenancyId,
    owner: "ORACLE",
    category: p.category,
    services: p.services,
    timeCreated: CATALOG_TIME,
    timeUpdated: CATALOG_TIME,
    lifecycleState: "ACTIVE",
    freeformTags: {},
    definedTags: {},
    systemTags: {},
  };
}

export function recipeWire(r: OciSecurityRecipe): Record<string, unknown> {
  return {
    id: r.id,
    displayName: r.displayName,
    description: r.description,
    compartmentId: r.compartmentId,
    owner: r.owner,
    securityPolicies: r.securityPolicies,
    timeCreated: r.timeCreated,
    timeUpdated: r.timeUpdated,
    lifecycleState: r.lifecycleState,
    freeformTags: r.freeformTags,
    definedTags: r.definedTags,
    systemTags: {},
  };
}

export function zoneSummaryWire(z: OciSecurityZone): Record<string, unknown> {
  return {
    id: z.id,
    displayName: z.displayName,
    description: z.description,
    compartmentId: z.compartmentId,
    securityZoneRecipeId: z.securityZoneRecipeId,
    timeCreated: z.timeCreated,
    timeUpdated: z.timeUpdated,
    lifecycleState: z.lifecycleState,
    isInheritanceAfterDeleteEnabled: z.isInheritanceAfterDeleteEnabled,
    freeformTags: z.freeformTags,
    definedTags: z.definedTags,
    systemTags: {},
  };
}

export function zoneWire(z: OciSecurityZone, store: OciStore): Record<string, unknown> {
  return {
    ...zoneSummaryWire(z),
    securityZoneTargetId: z.securityZoneTargetId,
    inheritedByCompartments: z.lifecycleState === "ACTIVE" ? store.inheritedBy(z) : [],
  };
}
