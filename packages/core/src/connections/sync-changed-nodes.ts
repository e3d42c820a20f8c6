/**
 * Incremental discovery: applies targeted reads of the nodes cloud events named to the recorded tree,
 * instead of re-reading the whole hierarchy. The recorded tree (node rows) with the read nodes replaced
 * is handed to `syncHierarchy` — the same code a full sweep uses — so paths, inherited labels for the
 * subtree under a moved or retagged node, held labels (held-labels.ts), removals and new-environment
 * detection are computed exactly as a full sweep would compute them from the same cloud state, and only
 * rows that changed are written.
 *
 * Reads are the truth, events only say where to look: a node read as gone is removed (its children,
 * which must have moved away first, are read too), a read node whose parent we do not know gets its
 * parent read, and anything that still does not hang from the recorded root asks for a full sweep
 * rather than guessing. A node outside the connection's root reads as gone (the provider reads through
 * the connection's own credentials), so an event naming a foreign account never creates a node.
 */
import type { PrismaClient } from "@parapet/db";
import type { DiscoveredNode, NodeRead } from "@parapet/providers/contract";
import { hierarchyNodes } from "./hierarchy.repository.ts";
import { syncHierarchy, type SyncResult } from "./sync-hierarchy.ts";

/** Rounds of follow-up reads (parents of newly seen nodes, children of gone ones) before giving up. */
const MAX_ROUNDS = 8;
/** More follow-up reads than this in one run: a full sweep is cheaper and surer. */
const MAX_FOLLOW_UPS = 500;

export type ChangedNodesResult = (SyncResult & { kind: "synced"; nodesRead: number }) | { kind: "sweep"; why: string };

export async function syncChangedNodes(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  rootExternalId: string,
  externalIds: readonly string[],
  read: (externalIds: readonly string[]) => Promise<NodeRead[]>,
  opts: { leafEnvironments?: boolean } = {},
): Promise<ChangedNodesResult> {
  const rows = await hierarchyNodes(prisma, connectionId);
  const extById = new Map(rows.map((r) => [r.id, r.externalId]));
  const tree = new Map<string, DiscoveredNode>();
  for (const r of rows) {
    if (r.state !== "active") continue;
    tree.set(r.externalId, {
      externalId: r.externalId,
      kind: r.kind,
      name: r.name,
      parentExternalId: r.parentId ? (extById.get(r.parentId) ?? null) : null,
      isEnvironment: r.isEnvironment,
      labels: (r.cloudLabels ?? {}) as Record<string, string>,
    });
  }
  if (!tree.has(rootExternalId)) return { kind: "sweep", why: "the recorded tree has no root" };

  const done = new Set<string>();
  let toRead = [...new Set(externalIds)];
  let followUps = 0;
  for (let round = 0; toRead.length > 0; round++) {
    if (round >= MAX_ROUNDS || followUps > MAX_FOLLOW_UPS) return { kind: "sweep", why: "too many follow-up reads" };
    const reads = await read(toRead);
    for (const id of toRead) done.add(id);
    const next = new Set<string>();
    for (const r of reads) {
      if (r.node) {
        // Keyed by the cloud's canonical id (a GCP event may name a project by its id, the tree by its number).
        tree.set(r.node.externalId, r.node);
        done.add(r.node.externalId);
        continue;
      }
      // ARM ids are case-insensitive, and an Azure event spells a group or subscription as its caller did: a gone
      // node is matched without case when the exact id is not recorded (the other clouds' ids are lower case).
      const gone = tree.has(r.externalId) ? r.externalId : [...tree.keys()].find((k) => k.toLowerCase() === r.externalId.toLowerCase());
      if (gone === undefined || !tree.delete(gone)) continue;
      // A container that is gone had to be emptied first: its former children live elsewhere now.
      for (const n of tree.values()) if (n.parentExternalId === gone && !done.has(n.externalId)) next.add(n.externalId);
    }
    for (const r of reads) {
      const parent = r.node?.parentExternalId;
      if (parent && !tree.has(parent) && !done.has(parent)) next.add(parent);
    }
    followUps += next.size;
    toRead = [...next];
  }

  // Everything must hang from the recorded root; a broken chain means the reads raced other changes.
  const reaches = new Map<string, boolean>([[rootExternalId, true]]);
  for (const start of tree.keys()) {
    const chain: string[] = [];
    let cur: string | null | undefined = start;
    let ok = false;
    while (cur !== null && cur !== undefined) {
      const known = reaches.get(cur);
      if (known !== undefined) {
        ok = known;
        break;
      }
      if (chain.length > tree.size) break; // a cycle
      chain.push(cur);
      cur = tree.get(cur)?.parentExternalId;
    }
    for (const c of chain) reaches.set(c, ok);
    if (!ok) return { kind: "sweep", why: `${start} does not hang from the root after the targeted reads` };
  }

  if (opts.leafEnvironments) {
    // Where environments are the leaves (OCI), a move or a delete changes whether the old parent and the
    // new one are leaves, and neither is read: derive it from the whole tree, as the full sweep does.
    const parents = new Set([...tree.values()].map((n) => n.parentExternalId));
    for (const [id, n] of tree) tree.set(id, { ...n, isEnvironment: !parents.has(id) });
  }

  const sync = await syncHierarchy(prisma, workspaceId, connectionId, { rootExternalId, nodes: [...tree.values()] }, rows);
  return { kind: "synced", nodesRead: done.size, ...sync };
}
