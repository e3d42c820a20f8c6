import { getContinuationToken as mgToken } from "@azure/arm-managementgroups";
import { mapLimit } from "../common/concurrency.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import type { DiscoveredNode, Hierarchy, NodeRead } from "../contract/types.ts";
import { ARM_API_VERSIONS } from "./client.ts";
import { isObj, type AzureContext } from "./context.ts";
import { MG_SCOPE_PREFIX, parseScope } from "./scope.ts";
import { MANAGEMENT_GROUP_ID, SUBSCRIPTION_ID } from "./types.ts";

/** A subscription's tags as labels (string values only), the same for the sweep and a targeted read. */
function labelsOf(tags: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  if (isObj(tags)) for (const [k, v] of Object.entries(tags)) if (typeof v === "string") labels[k] = v;
  return labels;
}

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
    tagsBySub.set(id.toLowerCase(), labelsOf(s.tags));
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

const lastSegment = (id: string | undefined): string | undefined => id?.split("/").filter(Boolean).pop();

/**
 * Targeted discovery for Event Grid's ARM events (parse-event.ts names the group or subscription), each
 * node read the way the sweep records it:
 * - a management group: ManagementGroups_Get with `$expand=ancestors` (one call: display name,
 *   `details.parent`, `details.managementGroupAncestorsChain`; specification/managementgroups/
 *   resource-manager/Microsoft.Management/ManagementGroups/stable/2023-04-01, GetManagementGroupWithAncestors);
 * - a subscription: Subscriptions_Get (`GET /subscriptions/{id}`, its tags are the labels, as the sweep's
 *   Subscriptions_List; specification/resources/resource-manager/Microsoft.Resources/subscriptions/stable/
 *   2022-12-01/subscriptions.json) and
 *   Entities_List filtered to it (`POST /providers/Microsoft.Management/getEntities?$filter=name eq '{id}'`,
 *   whose `parent` and `parentNameChain` place it in the tree without knowing its group beforehand —
 *   "Get Subscription Under Management Group" needs the group in its path).
 * A group Azure answers 404 for (ManagementGroupNotFound), or a subscription neither Subscriptions_Get
 * (SubscriptionNotFound) nor Entities_List knows, is gone, and so is one whose ancestry does not reach this
 * connection's root group (moved out of it, or another branch of the tenant). A refusal (403 AuthorizationFailed) or a subscription the management-group
 * service does not list throws, and the reconcile falls back to a full sweep instead of guessing.
 */
export async function discoverAzureNodes(ctx: AzureContext, externalIds: readonly string[]): Promise<NodeRead[]> {
  const { mg, arm } = ctx.sdk;
  const root = ctx.rootMg.toLowerCase();

  const readGroup = async (name: string): Promise<DiscoveredNode | null> => {
    const g = await ctx.call("ManagementGroups_Get", false, () =>
      mg.managementGroups.get(name, { expand: "ancestors", cacheControl: "no-cache" }),
    );
    const gName = g.name ?? name;
    const node = {
      externalId: `${MG_SCOPE_PREFIX}${gName}`,
      kind: "management-group",
      name: g.displayName ?? gName,
      isEnvironment: false,
      labels: {},
    };
    if (gName.toLowerCase() === root) return { ...node, parentExternalId: null };
    const ancestors = (g.details?.managementGroupAncestorsChain ?? []).map((a) => (a.name ?? "").toLowerCase());
    if (!ancestors.includes(root)) return null;
    const parent =
      g.details?.parent?.id ??
      (g.details?.managementGroupAncestorsChain?.[0]?.name
        ? `${MG_SCOPE_PREFIX}${g.details.managementGroupAncestorsChain[0].name}`
        : undefined);
    if (!parent) return null;
    return { ...node, parentExternalId: parent.replace(/^\/+/, "") };
  };

  const readSubscription = async (id: string): Promise<DiscoveredNode | null> => {
    // A 404 here is not yet "gone": ARM may answer SubscriptionNotFound for a subscription the connector cannot
    // read, which the sweep still records (from the group tree, with no tags). Entities_List decides.
    const s = await ctx.orUndefined(
      ctx.call("Subscriptions_Get", false, () => arm.get(`subscriptions/${id}`, ARM_API_VERSIONS.subscriptions)),
    );
    const entities = await ctx.sdkPages(
      "Entities_List",
      (t) =>
        mg.entities
          .list({ filter: `name eq '${id}'`, view: "SubscriptionsOnly", cacheControl: "no-cache" })
          .byPage({ continuationToken: t }),
      mgToken,
    );
    const e = entities.find((x) => x.name?.toLowerCase() === id.toLowerCase());
    const parent = e?.parent?.id;
    if (!s && !e) return null;
    if (!e || !parent) {
      // ARM knows the subscription but the management-group service does not place it: not "gone".
      throw new ProviderError(
        "unavailable",
        `Azure's management-group service did not list subscription ${id}, which Subscriptions_Get returned; a full discovery will place it.`,
        false,
        "Entities_List",
        "EntityNotListed",
      );
    }
    const chain = [...(e.parentNameChain ?? []), lastSegment(parent) ?? ""].map((x) => x.toLowerCase());
    if (!chain.includes(root)) return null;
    const subName = e.name ?? id;
    return {
      externalId: `subscriptions/${subName}`,
      kind: "subscription",
      name: e.displayName ?? (typeof s?.displayName === "string" ? s.displayName : subName),
      parentExternalId: parent.replace(/^\/+/, ""),
      isEnvironment: true,
      labels: labelsOf(s?.tags),
    };
  };

  const read = (externalId: string): Promise<DiscoveredNode | null> => {
    const scope = parseScope(externalId);
    if (scope?.kind === "mg" && MANAGEMENT_GROUP_ID.test(scope.mg)) return readGroup(scope.mg);
    if (scope?.kind === "sub" && SUBSCRIPTION_ID.test(scope.sub)) return readSubscription(scope.sub);
    // No management group or subscription id at all.
    return Promise.resolve(null);
  };

  return mapLimit([...new Set(externalIds)], ctx.concurrency, async (externalId) => {
    try {
      return { externalId, node: await read(externalId) };
    } catch (e) {
      if (isProviderError(e) && e.kind === "not_found") return { externalId, node: null };
      throw e;
    }
  });
}
