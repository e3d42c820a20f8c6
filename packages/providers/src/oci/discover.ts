import { requests as idRequests } from "oci-identity";
import type { DiscoveredNode, Hierarchy } from "../contract/types.ts";
import type { OciContext } from "./context.ts";

/** The tenancy and every active compartment below it; leaves are the environments. */
export async function discoverOci(ctx: OciContext): Promise<Hierarchy> {
  const root = ctx.tenancyId;
  const tenancy = (await ctx.call("GetTenancy", false, () => ctx.clients.identity.getTenancy({ tenancyId: root }))).tenancy;
  const compartments = await ctx.pages("ListCompartments", async (page) => {
    const r = await ctx.clients.identity.listCompartments({
      compartmentId: root,
      compartmentIdInSubtree: true,
      // ANY: list every compartment, not only those the connector may act in, so the tree is whole.
      accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
      lifecycleState: "ACTIVE",
      limit: ctx.pageLimit,
      ...(page ? { page } : {}),
    });
    return { items: r.items, next: r.opcNextPage };
  });
  const parents = new Set(compartments.map((c) => c.compartmentId));
  const nodes: DiscoveredNode[] = [
    {
      externalId: root,
      kind: "tenancy",
      name: tenancy.name ?? root,
      parentExternalId: null,
      // The root compartment holds resources too, but only counts as an environment when nothing is below it.
      isEnvironment: compartments.length === 0,
      labels: labelsOf(tenancy),
    },
  ];
  for (const c of compartments) {
    nodes.push({
      externalId: c.id,
      kind: "compartment",
      name: c.name,
      parentExternalId: c.compartmentId,
      // Every OCI compartment can hold resources; Parapet counts coverage on the leaves of the tree,
      // the compartments with no child compartments, so parents are not counted twice.
      isEnvironment: !parents.has(c.id),
      labels: labelsOf(c),
    });
  }
  return { rootExternalId: root, nodes };
}

function labelsOf(x: {
  freeformTags?: Record<string, string> | null;
  definedTags?: Record<string, Record<string, unknown>> | null;
}): Record<string, string> {
  const labels: Record<string, string> = {};
  // Defined tags are namespaced in OCI; `namespace.key` keeps them apart from freeform keys.
  for (const [ns, keys] of Object.entries(x.definedTags ?? {})) {
    for (const [k, v] of Object.entries(keys ?? {})) labels[`${ns}.${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(x.freeformTags ?? {})) labels[k] = v;
  return labels;
}
