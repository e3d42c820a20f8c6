import { models as idModels, requests as idRequests } from "oci-identity";
import { mapLimit } from "../common/concurrency.ts";
import type { DiscoveredNode, Hierarchy, NodeRead } from "../contract/types.ts";
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

const COMPARTMENT = /^ocid1\.compartment\./;
const TENANCY = /^ocid1\.tenancy\./;

/**
 * Targeted discovery for OCI Events compartment messages (their `data.resourceId`, a compartment OCID).
 * Per node: GetCompartment (`GET /20160918/compartments/{compartmentId}`: name, parent `compartmentId`,
 * `lifecycleState`, freeform and defined tags; https://docs.oracle.com/iaas/api/#/en/identity/20160918/Compartment/GetCompartment)
 * — GetTenancy for the root, as the sweep reads it — and a one-item ListCompartments of its ACTIVE
 * children, because a compartment is an environment only while it is a leaf. A move shows as a new
 * parent; core reads that parent if it does not know it and derives the old and new parents'
 * leafness from the tree (CloudAdapter.leafEnvironments).
 *
 * What the sweep leaves out reads as gone: a compartment not ACTIVE (a deleted one stays readable as
 * DELETING/DELETED for 90 days: https://docs.oracle.com/iaas/Content/Identity/compartments/To_delete_a_compartment.htm),
 * another tenancy's root (so a compartment of another tenancy never hangs from ours: core sweeps instead),
 * and any OCID that is no compartment. A 404 is not taken for "gone": OCI answers NotAuthorizedOrNotFound
 * alike for a purged compartment, another tenancy's, and one the connector lost `inspect compartments`
 * on — guessing "gone" would remove live environments when only a policy changed. It throws, and the
 * reconcile falls back to a full sweep, which either reads the truth or fails loudly.
 */
export async function discoverOciNodes(ctx: OciContext, externalIds: readonly string[]): Promise<NodeRead[]> {
  const hasChildren = async (compartmentId: string): Promise<boolean> => {
    const r = await ctx.call("ListCompartments", false, () =>
      ctx.clients.identity.listCompartments({
        compartmentId,
        accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
        lifecycleState: "ACTIVE",
        limit: 1,
      }),
    );
    return r.items.length > 0;
  };
  const read = async (id: string): Promise<DiscoveredNode | null> => {
    if (id === ctx.tenancyId) {
      const [{ tenancy }, below] = await Promise.all([
        ctx.call("GetTenancy", false, () => ctx.clients.identity.getTenancy({ tenancyId: id })),
        hasChildren(id),
      ]);
      return {
        externalId: id,
        kind: "tenancy",
        name: tenancy.name ?? id,
        parentExternalId: null,
        isEnvironment: !below,
        labels: labelsOf(tenancy),
      };
    }
    if (TENANCY.test(id) || !COMPARTMENT.test(id)) return null;
    const { compartment: c } = await ctx.call("GetCompartment", false, () => ctx.clients.identity.getCompartment({ compartmentId: id }));
    if (c.lifecycleState !== idModels.Compartment.LifecycleState.Active) return null;
    return {
      externalId: c.id,
      kind: "compartment",
      name: c.name,
      parentExternalId: c.compartmentId,
      isEnvironment: !(await hasChildren(c.id)),
      labels: labelsOf(c),
    };
  };
  return mapLimit([...new Set(externalIds)], ctx.concurrency, async (externalId) => ({ externalId, node: await read(externalId) }));
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
