import { randomUUID } from "node:crypto";
import { models as cgModels, requests as cgRequests } from "oci-cloudguard";
import { requests as idRequests } from "oci-identity";
import { ProviderError } from "../contract/errors.ts";
import type { ApplyResult, Change, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { shortHash } from "../aws/markers.ts";
import { compareOci, zoneBodyFromCloud, ZOciSecurityZoneArtifact, type TOciSecurityZoneArtifact } from "./compare.ts";
import { ETAG_MISMATCH, invalid, isLive, notOwned, type OciContext, type Recipe, type Zone } from "./context.ts";
import { isOwnedByWorkspaceOci, OCI_NAME_PREFIX } from "./markers.ts";
import { findRecipe, getRecipe, listZones, resolveSecurityPolicies, securityPolicyCatalog } from "./zone-reads.ts";

/**
 * Security zones as one artifact: a Parapet-owned recipe (Cloud Guard) plus the zones that use it,
 * one per target compartment. A customer's zone or Cloud Guard target is never replaced or deleted.
 */

// ---------------- security zones (recipe + zone)

export function zoneBody(ctx: OciContext, a: DesiredArtifact, operation: string): TOciSecurityZoneArtifact {
  const r = ZOciSecurityZoneArtifact.safeParse(a.body);
  if (!r.success)
    throw invalid(
      operation,
      `The desired OCI security zone ${a.name} is malformed: ${r.error.issues[0]?.message ?? "invalid"}.`,
      "INVALID_BODY",
    );
  if (r.data.displayName !== a.name || !a.name.startsWith(OCI_NAME_PREFIX)) {
    throw invalid(
      operation,
      `Security zone names must be the artifact name and start with '${OCI_NAME_PREFIX}' (got '${r.data.displayName}').`,
      "INVALID_BODY",
    );
  }
  if (r.data.workspaceId !== ctx.ws) {
    throw invalid(operation, `Security zone ${a.name} belongs to another workspace and cannot be written by this connection.`, "NOT_OWNED");
  }
  return r.data;
}

function recipeDescription(body: TOciSecurityZoneArtifact): string {
  return `Parapet guardrails: security zone policies for compartment ${body.compartmentId}`.slice(0, 400);
}

export async function createZoneArtifact(ctx: OciContext, a: DesiredArtifact): Promise<ApplyResult> {
  const body = zoneBody(ctx, a, "CreateSecurityRecipe");
  const policies = await resolveSecurityPolicies(ctx, body.securityPolicyNames, "CreateSecurityRecipe");
  // Refuse before anything is written: a recipe without its zone would be left behind.
  for (const target of a.attachments.length > 0 ? a.attachments : [body.compartmentId]) {
    if ((await listZones(ctx, { compartmentId: target })).some((z) => z.compartmentId === target && isLive(z))) continue;
    await refuseIfCustomerTargets(ctx, target, "CreateSecurityZone");
  }
  // The recipe first: a zone can only be created with a recipe to point at.
  let recipeId: string;
  const existing = await findRecipe(ctx, body.compartmentId, a.name);
  if (existing) {
    if (!isOwnedByWorkspaceOci(existing, ctx.ws))
      throw notOwned("CreateSecurityRecipe", `the existing security zone recipe ${a.name} (${existing.id})`);
    await updateRecipe(ctx, existing.id, a.name, () => body, "CreateSecurityRecipe");
    recipeId = existing.id;
  } else {
    const opcRetryToken = randomUUID();
    const r = await ctx.call("CreateSecurityRecipe", true, () =>
      ctx.clients.cloudGuard.createSecurityRecipe({
        createSecurityRecipeDetails: {
          compartmentId: body.compartmentId,
          displayName: a.name,
          description: recipeDescription(body),
          securityPolicies: policies,
          freeformTags: ctx.ownerTags(),
        },
        opcRetryToken,
      }),
    );
    recipeId = r.securityRecipe.id;
  }
  for (const target of a.attachments.length > 0 ? a.attachments : [body.compartmentId]) {
    await ensureZone(ctx, recipeId, zoneName(a.name, body.compartmentId, target), target, "CreateSecurityZone");
  }
  return { externalId: recipeId };
}

export async function updateRecipe(
  ctx: OciContext,
  recipeId: string,
  name: string,
  bodyOf: () => TOciSecurityZoneArtifact,
  operation: string,
): Promise<ApplyResult> {
  return ctx.withFreshEtag(async () => {
    const cur = await getRecipe(ctx, recipeId);
    if (!cur) {
      throw new ProviderError(
        "not_found",
        `Security zone recipe ${recipeId} no longer exists; it must be created again.`,
        false,
        operation,
        "NotAuthorizedOrNotFound",
      );
    }
    const r = cur.recipe;
    if (!isOwnedByWorkspaceOci(r, ctx.ws)) throw notOwned(operation, `security zone recipe ${r.displayName ?? r.id} (${r.id})`);
    const body = bodyOf();
    const policies = await resolveSecurityPolicies(ctx, body.securityPolicyNames, operation);
    const { nameById } = await securityPolicyCatalog(ctx);
    const desired: DesiredArtifact = { kind: "oci.security-zone", name, body, attachments: [], guardrailIds: [] };
    const now: ObservedArtifact = {
      kind: "oci.security-zone",
      name: r.displayName ?? "",
      externalId: r.id,
      body: zoneBodyFromCloud(r, nameById),
      attachments: [],
      owned: true,
    };
    if (compareOci(desired, now, ctx.ws).equal) return { externalId: r.id, noop: true };
    if (r.compartmentId !== body.compartmentId) {
      throw invalid(
        operation,
        `Security zone recipe ${name} lives in ${r.compartmentId}, not ${body.compartmentId}; delete and recreate it.`,
        "RECIPE_COMPARTMENT_FIXED",
      );
    }
    await ctx.call(
      "UpdateSecurityRecipe",
      true,
      () =>
        ctx.clients.cloudGuard.updateSecurityRecipe({
          securityRecipeId: r.id,
          ifMatch: cur.etag,
          updateSecurityRecipeDetails: {
            displayName: name,
            description: recipeDescription(body),
            securityPolicies: policies,
            freeformTags: ctx.ownerTags(r.freeformTags),
          },
        }),
      (e) => e.code === ETAG_MISMATCH,
    );
    return { externalId: r.id };
  });
}

/** Puts `target` in a zone using the recipe: noop when it already is, repoint our own zone, refuse a customer's. */
async function ensureZone(ctx: OciContext, recipeId: string, name: string, target: string, operation: string): Promise<ApplyResult> {
  return ctx.withFreshEtag(async () => {
    const onTarget = (await listZones(ctx, { compartmentId: target })).filter((z) => z.compartmentId === target && isLive(z));
    const z = onTarget[0];
    if (z) {
      if (z.securityZoneRecipeId === recipeId) return { externalId: recipeId, noop: true };
      if (!isOwnedByWorkspaceOci(z, ctx.ws)) {
        throw new ProviderError(
          "conflict",
          `Compartment ${target} is already in security zone '${z.displayName ?? z.id}', which Parapet does not own; a compartment can be in only one security zone.`,
          false,
          operation,
          "CUSTOMER_ZONE_CONFLICT",
        );
      }
      const cur = await ctx.call("GetSecurityZone", false, () => ctx.clients.cloudGuard.getSecurityZone({ securityZoneId: z.id }));
      await ctx.call(
        "UpdateSecurityZone",
        true,
        () =>
          ctx.clients.cloudGuard.updateSecurityZone({
            securityZoneId: z.id,
            ifMatch: cur.etag,
            updateSecurityZoneDetails: { displayName: cur.securityZone.displayName ?? name, securityZoneRecipeId: recipeId },
          }),
        (e) => e.code === ETAG_MISMATCH,
      );
      return { externalId: recipeId };
    }
    await refuseIfCustomerTargets(ctx, target, operation);
    const opcRetryToken = randomUUID();
    await ctx.call("CreateSecurityZone", true, () =>
      ctx.clients.cloudGuard.createSecurityZone({
        createSecurityZoneDetails: {
          compartmentId: target,
          displayName: name,
          description: `Parapet guardrails: compartment ${target}`,
          securityZoneRecipeId: recipeId,
          freeformTags: ctx.ownerTags(),
        },
        opcRetryToken,
      }),
    );
    return { externalId: recipeId };
  });
}

/**
 * Creating a security zone on a compartment makes Cloud Guard delete every existing Cloud Guard
 * target of that compartment and its subcompartments (security-zone/using/create-security-zone.htm).
 * Parapet never destroys a customer's target: it refuses, naming them, and the plan shows why.
 */
async function refuseIfCustomerTargets(ctx: OciContext, target: string, operation: string): Promise<void> {
  const targets = await ctx.pages("ListTargets", async (page) => {
    const r = await ctx.clients.cloudGuard.listTargets({
      compartmentId: ctx.tenancyId,
      compartmentIdInSubtree: true,
      accessLevel: cgRequests.ListTargetsRequest.AccessLevel.Accessible,
      isNonSecurityZoneTargetsOnlyQuery: true,
      lifecycleState: cgModels.LifecycleState.Active,
      limit: ctx.pageLimit,
      ...(page ? { page } : {}),
    });
    return { items: r.targetCollection.items, next: r.opcNextPage };
  });
  const standard = targets.filter((t) => String(t.targetResourceType) === "COMPARTMENT");
  if (standard.length === 0) return;
  const parent = new Map<string, string>();
  if (target !== ctx.tenancyId) {
    const compartments = await ctx.pages("ListCompartments", async (page) => {
      const r = await ctx.clients.identity.listCompartments({
        compartmentId: ctx.tenancyId,
        compartmentIdInSubtree: true,
        accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
        limit: ctx.pageLimit,
        ...(page ? { page } : {}),
      });
      return { items: r.items, next: r.opcNextPage };
    });
    for (const c of compartments) parent.set(c.id, c.compartmentId);
  }
  const under = (id: string): boolean => {
    if (target === ctx.tenancyId) return true;
    for (let cur: string | undefined = id, hops = 0; cur && hops < 64; cur = parent.get(cur), hops++) if (cur === target) return true;
    return false;
  };
  const doomed = standard.filter((t) => under(t.targetResourceId));
  if (doomed.length === 0) return;
  throw invalid(
    operation,
    `Creating a security zone on compartment ${target} would make Cloud Guard delete the customer's Cloud Guard target${doomed.length > 1 ? "s" : ""} ${doomed
      .map((t) => `'${t.displayName ?? t.id}' (${t.id})`)
      .join(
        ", ",
      )} on it or below it; Parapet never deletes a customer's target. Scope the guardrail's security zone below those compartments, or move the targets first.`,
    "CLOUD_GUARD_TARGETS",
  );
}

async function resolveRecipe(ctx: OciContext, change: { externalId: string; name: string; target: string }): Promise<Recipe | undefined> {
  if (change.externalId) return (await getRecipe(ctx, change.externalId))?.recipe;
  return findRecipe(ctx, change.target, change.name);
}

export async function attachZone(ctx: OciContext, change: Extract<Change, { op: "attach" }>): Promise<ApplyResult> {
  const recipe = await resolveRecipe(ctx, change);
  if (!recipe) {
    throw new ProviderError(
      "not_found",
      `Security zone recipe ${change.name} does not exist; create it first.`,
      false,
      "CreateSecurityZone",
      "NotAuthorizedOrNotFound",
    );
  }
  const name = recipe.displayName ?? change.name;
  if (!isOwnedByWorkspaceOci(recipe, ctx.ws)) throw notOwned("CreateSecurityZone", `security zone recipe ${name} (${recipe.id})`);
  return ensureZone(ctx, recipe.id, zoneName(name, recipe.compartmentId, change.target), change.target, "CreateSecurityZone");
}

export async function detachZone(ctx: OciContext, change: Extract<Change, { op: "detach" }>): Promise<ApplyResult> {
  const recipe = change.externalId ? { id: change.externalId } : await resolveRecipe(ctx, change);
  if (!recipe) return { noop: true };
  return ctx.withFreshEtag(async () => {
    const zone = (await listZones(ctx, { compartmentId: change.target })).find(
      (z) => z.compartmentId === change.target && z.securityZoneRecipeId === recipe.id && isLive(z),
    );
    if (!zone) return { noop: true };
    return deleteZone(ctx, zone, "DeleteSecurityZone");
  });
}

async function deleteZone(ctx: OciContext, zone: Zone, operation: string): Promise<ApplyResult> {
  if (!isOwnedByWorkspaceOci(zone, ctx.ws)) throw notOwned(operation, `security zone ${zone.displayName ?? zone.id} (${zone.id})`);
  try {
    const cur = await ctx.call("GetSecurityZone", false, () => ctx.clients.cloudGuard.getSecurityZone({ securityZoneId: zone.id }));
    await ctx.call(
      "DeleteSecurityZone",
      true,
      () => ctx.clients.cloudGuard.deleteSecurityZone({ securityZoneId: zone.id, ifMatch: cur.etag }),
      (e) => e.code === ETAG_MISMATCH,
    );
  } catch (e) {
    if (ctx.isNotFound(e)) return { noop: true };
    throw e;
  }
  return { externalId: zone.id };
}

export async function deleteZoneArtifact(ctx: OciContext, recipeId: string): Promise<ApplyResult> {
  if (!recipeId) throw invalid("DeleteSecurityRecipe", "Deleting a security zone artifact needs its recipe OCID.", "INVALID_CHANGE");
  return ctx.withFreshEtag(async () => {
    const cur = await getRecipe(ctx, recipeId);
    if (!cur) return { noop: true };
    const r = cur.recipe;
    if (!isOwnedByWorkspaceOci(r, ctx.ws))
      throw notOwned("DeleteSecurityRecipe", `security zone recipe ${r.displayName ?? r.id} (${r.id})`);
    // Zones first: OCI refuses to delete a recipe a zone still uses.
    const using = await listZones(ctx, { compartmentId: ctx.tenancyId, subtree: true, securityRecipeId: r.id });
    const foreign = using.find((z) => isLive(z) && !isOwnedByWorkspaceOci(z, ctx.ws));
    if (foreign) {
      throw new ProviderError(
        "conflict",
        `Security zone recipe ${r.displayName ?? r.id} is used by security zone '${foreign.displayName ?? foreign.id}', which Parapet does not own; it is left in place.`,
        false,
        "DeleteSecurityRecipe",
        "RECIPE_IN_USE",
      );
    }
    for (const z of using.filter(isLive)) await deleteZone(ctx, z, "DeleteSecurityZone");
    try {
      await ctx.call(
        "DeleteSecurityRecipe",
        true,
        () => ctx.clients.cloudGuard.deleteSecurityRecipe({ securityRecipeId: r.id, ifMatch: cur.etag }),
        (e) => e.code === ETAG_MISMATCH,
      );
    } catch (e) {
      if (ctx.isNotFound(e)) return { noop: true };
      throw e;
    }
    return { externalId: r.id };
  });
}

/**
 * Zone display names are unique in a tenancy. The zone on the recipe's own compartment carries the
 * artifact's name; a zone the same recipe serves elsewhere gets a suffix derived from its compartment.
 */
function zoneName(artifactName: string, recipeCompartmentId: string, target: string): string {
  return target === recipeCompartmentId ? artifactName : `${artifactName}-${shortHash(target)}`;
}
