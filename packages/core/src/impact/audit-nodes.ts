/**
 * Matching audit-log events to the connection's recorded nodes, for the impact replay and denial
 * attribution alike. Discovery records an Azure subscription as `subscriptions/<id>` (its ARM scope
 * without the leading slash), while the Activity Log names the bare subscription id
 * (EventData.subscriptionId; "Azure Activity Log event schema",
 * https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema) and the reader
 * narrows by bare ids too. Subscription ids are GUIDs, compared without case. Other clouds name
 * their environments in the log exactly as discovery records them.
 */
import type { TCloud as Cloud } from "../catalog/types.ts";

const AZURE_SUB = /^\/?subscriptions\//i;

/** The id an audit log (and its reader's `nodeExternalIds`) uses for a recorded node. */
export function auditNodeId(cloud: Cloud, externalId: string): string {
  return cloud === "azure" ? externalId.replace(AZURE_SUB, "") : externalId;
}

/** Looks a node up by the id an event names (`nodeExternalId`), in either form. */
export function auditNodeIndex<N extends { externalId: string }>(
  cloud: Cloud,
  nodes: readonly N[],
): (id: string | undefined) => N | undefined {
  const exact = new Map(nodes.map((n) => [n.externalId, n]));
  if (cloud !== "azure") return (id) => (id === undefined ? undefined : exact.get(id));
  const loose = new Map(nodes.map((n) => [auditNodeId(cloud, n.externalId).toLowerCase(), n]));
  return (id) => (id === undefined ? undefined : (exact.get(id) ?? loose.get(auditNodeId(cloud, id).toLowerCase())));
}
