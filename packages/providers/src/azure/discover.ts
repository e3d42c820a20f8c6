import { getContinuationToken as mgToken } from "@azure/arm-managementgroups";
import type { DiscoveredNode, Hierarchy } from "../contract/types.ts";
import { ARM_API_VERSIONS } from "./client.ts";
import { isObj, type AzureContext } from "./context.ts";
import { MG_SCOPE_PREFIX } from "./scope.ts";

/** The management group tree below the root, with subscriptions as the environments (their tags the labels). */
export async function discoverAzure(ctx: AzureContext): Promise<Hierarchy> {
  const { mg, arm } = ctx.sdk;
  const root = await ctx.call("ManagementGroups_Get", false, () => mg.managementGroups.get(ctx.rootMg));
  const rootName = root.name ?? ctx.rootMg;
  const rootExternalId = `${MG_SCOPE_PREFIX}${rootName}`;
  const descendants = await ctx.sdkPages(
    "ManagementGroups_GetDescendants",
    (t) => mg.managementGroups.listDescendants(rootName).byPage({ continuationToken: t }),
    mgToken,
  );
  // One paged subscription listing carries every subscription's tags: far cheaper than a tags read per subscription.
  const subs = await ctx.pages("Subscriptions_List", async (t) => {
    const p = await arm.listPage("subscriptions", ARM_API_VERSIONS.subscriptions, t);
    return { items: p.value, next: p.nextLink };
  });
  const tagsBySub = new Map<string, Record<string, string>>();
  for (const s of subs) {
    const id = typeof s.subscriptionId === "string" ? s.subscriptionId : undefined;
    if (!id) continue;
    const labels: Record<string, string> = {};
    if (isObj(s.tags)) for (const [k, v] of Object.entries(s.tags)) if (typeof v === "string") labels[k] = v;
    tagsBySub.set(id.toLowerCase(), labels);
  }
  const nodes: DiscoveredNode[] = [
    {
      externalId: rootExternalId,
      kind: "management-group",
      name: root.displayName ?? rootName,
      parentExternalId: null,
      isEnvironment: false,
      labels: {},
    },
  ];
  for (const d of descendants) {
    if (!d.id || !d.name) continue;
    const isSub = (d.type ?? "").toLowerCase().endsWith("subscriptions");
    const parent = d.parent?.id ? d.parent.id.replace(/^\/+/, "") : rootExternalId;
    nodes.push({
      externalId: isSub ? `subscriptions/${d.name}` : `${MG_SCOPE_PREFIX}${d.name}`,
      kind: isSub ? "subscription" : "management-group",
      name: d.displayName ?? d.name,
      parentExternalId: parent,
      // Resources live in subscriptions; management groups only group them, so coverage counts subscriptions.
      isEnvironment: isSub,
      // Management groups carry no tags in Azure; subscription tags are the labels.
      labels: isSub ? (tagsBySub.get(d.name.toLowerCase()) ?? {}) : {},
    });
  }
  return { rootExternalId, nodes };
}
