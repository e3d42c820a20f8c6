import { models as cgModels } from "oci-cloudguard";
import { mapLimit } from "../common/concurrency.ts";
import type { ObservedState, ObserveRequest } from "../contract/types.ts";
import { zoneBodyFromCloud } from "./compare.ts";
import { isLive, reason, type OciContext, type Recipe, type Zone } from "./context.ts";
import { isOwnedByWorkspaceOci } from "./markers.ts";
import { getPolicy, listPolicies, observedPolicy } from "./policies.ts";
import { listRecipes, listZones, securityPolicyCatalog } from "./zone-reads.ts";

type Expected = ObserveRequest["expected"][number];

/**
 * Reads only Parapet's artifacts, by name where they live. Calls per observe:
 *   Σ over compartments holding expected policies of ⌈policies there / pageLimit⌉  (ListPolicies)
 * + Σ over compartments holding expected zones of ⌈recipes there / pageLimit⌉      (ListSecurityRecipes)
 * + ⌈zones in tenancy / pageLimit⌉ when a recipe was found or targets were given  (ListSecurityZones)
 * + 1 ListSecurityPolicies on the adapter's first zone read (Oracle's catalogue, cached).
 * With core's one policy chunk and at most one zone per compartment that is ≤ 1 call per owned
 * artifact + 1, independent of the number of compartments in the tenancy.
 */
export async function observeOci(ctx: OciContext, req: ObserveRequest): Promise<ObservedState> {
  const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
  const seen = new Set<string>();
  const policyGroups = new Map<string, Expected[]>();
  const zoneGroups = new Map<string, Expected[]>();
  const byIdOnly: Expected[] = [];
  for (const e of req.expected) {
    const k = `${e.kind}|${e.name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (e.kind !== "oci.policy" && e.kind !== "oci.security-zone") {
      state.unreadable.push({ kind: e.kind, name: e.name, reason: `${e.kind} is not observed by the OCI adapter` });
      continue;
    }
    const compartment = e.attachments?.[0];
    if (!compartment && e.externalId && e.kind === "oci.policy") {
      byIdOnly.push(e);
      continue;
    }
    const groups = e.kind === "oci.policy" ? policyGroups : zoneGroups;
    // Without a hint the artifact can only be looked for where Parapet would not put it by default: the root.
    const c = compartment ?? ctx.tenancyId;
    groups.set(c, [...(groups.get(c) ?? []), e]);
  }

  for (const e of byIdOnly) {
    try {
      const got = await getPolicy(ctx, e.externalId as string);
      if (got && got.policy.name === e.name) state.artifacts.push(observedPolicy(ctx, got.policy));
      else policyGroups.set(ctx.tenancyId, [...(policyGroups.get(ctx.tenancyId) ?? []), e]);
    } catch (err) {
      state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
    }
  }

  await mapLimit([...policyGroups.entries()], ctx.concurrency, async ([compartmentId, items]) => {
    try {
      const names = new Set(items.map((i) => i.name));
      const listed = await listPolicies(ctx, compartmentId, names.size === 1 ? items[0]?.name : undefined);
      for (const e of items) {
        const candidates = listed.filter((p) => p.name === e.name && isLive(p));
        const p =
          candidates.find((x) => x.id === e.externalId) ?? candidates.find((x) => isOwnedByWorkspaceOci(x, ctx.ws)) ?? candidates[0];
        if (p) state.artifacts.push(observedPolicy(ctx, p));
      }
    } catch (err) {
      for (const e of items) state.unreadable.push({ kind: e.kind, name: e.name, target: compartmentId, reason: reason(err) });
    }
  });

  await observeZones(ctx, zoneGroups, req.targets ?? [], state);
  const order = (a: { kind: string; name?: string }, b: { kind: string; name?: string }): number =>
    `${a.kind}|${a.name ?? ""}`.localeCompare(`${b.kind}|${b.name ?? ""}`);
  state.artifacts.sort(order);
  state.unreadable.sort((a, b) => order({ kind: a.kind ?? "", name: a.name }, { kind: b.kind ?? "", name: b.name }));
  return state;
}
/**
 * Recipes are read per compartment (they live beside the zone they serve); zones with one
 * tenancy-wide listing, which also yields the foreign zones on requested targets: a compartment
 * can be in only one security zone, so a customer's zone takes the target's only slot.
 */
async function observeZones(ctx: OciContext, groups: Map<string, Expected[]>, targets: string[], state: ObservedState): Promise<void> {
  const found: Array<{ e: Expected; recipe: Recipe }> = [];
  await mapLimit([...groups.entries()], ctx.concurrency, async ([compartmentId, items]) => {
    try {
      const recipes = await listRecipes(ctx, compartmentId, items.length === 1 ? items[0]?.name : undefined);
      for (const e of items) {
        const candidates = recipes.filter((r) => r.displayName === e.name && r.owner === cgModels.OwnerType.Customer && isLive(r));
        const r =
          candidates.find((x) => x.id === e.externalId) ?? candidates.find((x) => isOwnedByWorkspaceOci(x, ctx.ws)) ?? candidates[0];
        if (r) found.push({ e, recipe: r });
      }
    } catch (err) {
      for (const e of items) state.unreadable.push({ kind: e.kind, name: e.name, target: compartmentId, reason: reason(err) });
    }
  });
  if (found.length === 0 && targets.length === 0) return;
  let zones: Zone[];
  let catalog: Awaited<ReturnType<typeof securityPolicyCatalog>> | undefined;
  try {
    if (found.length > 0) catalog = await securityPolicyCatalog(ctx);
    const onlyRecipe = found.length === 1 && targets.length === 0 ? found[0]?.recipe.id : undefined;
    zones = await listZones(ctx, { compartmentId: ctx.tenancyId, subtree: true, ...(onlyRecipe ? { securityRecipeId: onlyRecipe } : {}) });
  } catch (err) {
    for (const { e } of found) state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
    for (const t of targets) state.unreadable.push({ kind: "oci.security-zone", target: t, reason: reason(err) });
    return;
  }
  for (const t of targets) {
    const foreign = zones.filter((z) => z.compartmentId === t && isLive(z) && !isOwnedByWorkspaceOci(z, ctx.ws)).length;
    if (foreign > 0) state.foreignSlots[t] = { "oci.security-zone": foreign };
  }
  if (!catalog) return;
  for (const { recipe } of found) {
    const attachments = zones.filter((z) => z.securityZoneRecipeId === recipe.id && isLive(z)).map((z) => z.compartmentId);
    state.artifacts.push({
      kind: "oci.security-zone",
      name: recipe.displayName ?? "",
      externalId: recipe.id,
      body: zoneBodyFromCloud(recipe, catalog.nameById),
      attachments: [...new Set(attachments)].sort(),
      owned: isOwnedByWorkspaceOci(recipe, ctx.ws),
    });
  }
}
