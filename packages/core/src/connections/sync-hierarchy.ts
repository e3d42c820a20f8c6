/**
 * Writes a discovered hierarchy into `node` rows: new nodes are inserted in bulk, changed ones
 * updated, vanished ones marked removed (never deleted: drift and audit history point at them).
 * Parent links, materialised paths and inherited labels are recomputed for the whole tree.
 */
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import type { Hierarchy } from "@parapet/providers/contract";
import { canonicalJson } from "@parapet/providers/contract";
import { effectiveLabels } from "../scope/select.ts";
import { holdLostLabels, recordHeldLabels } from "./held-labels.ts";
import { hierarchyNodes, insertNodes, markNodesRemoved, updateNodes } from "./hierarchy.repository.ts";

export interface SyncResult {
  created: number;
  updated: number;
  removed: number;
  /** Environments seen for the first time (candidates for "uncovered environment"). */
  newEnvironmentIds: string[];
  /** Environments whose cloud tag change was held because it would have left a guardrail's scope. */
  held: number;
}

const INSERT_BATCH = 200;

const newId = () => `n${randomBytes(11).toString("hex")}`;

/** `recorded`: the connection's node rows when the caller just read them (targeted discovery), to spare a second read. */
export async function syncHierarchy(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  h: Hierarchy,
  recorded?: Awaited<ReturnType<typeof hierarchyNodes>>,
): Promise<SyncResult> {
  const existing = recorded ?? (await hierarchyNodes(prisma, connectionId));
  const byExt = new Map(existing.map((n) => [n.externalId, n]));
  const idOf = new Map<string, string>();
  for (const n of h.nodes) idOf.set(n.externalId, byExt.get(n.externalId)?.id ?? newId());

  // Paths and depths from the root down, iteratively.
  const children = new Map<string | null, string[]>();
  for (const n of h.nodes) {
    const p = n.parentExternalId && idOf.has(n.parentExternalId) ? n.parentExternalId : null;
    children.set(p, [...(children.get(p) ?? []), n.externalId]);
  }
  const path = new Map<string, string>();
  const depth = new Map<string, number>();
  const queue: Array<[string, string, number]> = (children.get(null) ?? []).map((e) => [e, "/", 0]);
  while (queue.length) {
    const [ext, parentPath, d] = queue.shift()!;
    const p = `${parentPath}${idOf.get(ext)}/`;
    path.set(ext, p);
    depth.set(ext, d);
    for (const c of children.get(ext) ?? []) queue.push([c, p, d + 1]);
  }
  const overrides = new Map<string, Record<string, string | null>>();
  for (const n of h.nodes)
    overrides.set(idOf.get(n.externalId)!, (byExt.get(n.externalId)?.labelOverrides as Record<string, string | null> | undefined) ?? {});
  const computeLabels = () =>
    effectiveLabels(
      h.nodes.map((n) => ({
        id: idOf.get(n.externalId)!,
        parentId: n.parentExternalId ? (idOf.get(n.parentExternalId) ?? null) : null,
        cloudLabels: n.labels,
        overrides: overrides.get(idOf.get(n.externalId)!)!,
      })),
    );
  let labels = computeLabels();
  // Tags changed in the cloud that would take environments out of a guardrail are held (see holdLostLabels).
  const held = existing.length > 0 ? await holdLostLabels(prisma, workspaceId, existing, labels) : [];
  if (held.length > 0) {
    for (const x of held) overrides.set(x.nodeId, { ...overrides.get(x.nodeId), ...x.pins });
    labels = computeLabels();
  }
  const heldIds = new Set(held.map((x) => x.nodeId));

  const now = new Date();
  const toCreate = [];
  const updates: Array<{ id: string; data: Record<string, unknown> }> = [];
  const newEnvironmentIds: string[] = [];
  for (const n of h.nodes) {
    const id = idOf.get(n.externalId)!;
    const row = {
      parentId: n.parentExternalId ? (idOf.get(n.parentExternalId) ?? null) : null,
      name: n.name,
      kind: n.kind,
      isEnvironment: n.isEnvironment,
      cloudLabels: n.labels,
      effectiveLabels: labels.get(id) ?? {},
      path: path.get(n.externalId) ?? `/${id}/`,
      depth: depth.get(n.externalId) ?? 0,
      state: "active",
    };
    const old = byExt.get(n.externalId);
    if (!old) {
      toCreate.push({ id, workspaceId, connectionId, externalId: n.externalId, ...row, lastSeenAt: now, discoveredAt: now });
      if (n.isEnvironment && existing.length > 0) newEnvironmentIds.push(id);
      continue;
    }
    const changed =
      old.parentId !== row.parentId ||
      old.name !== row.name ||
      old.kind !== row.kind ||
      old.isEnvironment !== row.isEnvironment ||
      old.path !== row.path ||
      old.depth !== row.depth ||
      old.state !== "active" ||
      canonicalJson(old.cloudLabels) !== canonicalJson(row.cloudLabels) ||
      canonicalJson(old.effectiveLabels) !== canonicalJson(row.effectiveLabels) ||
      heldIds.has(id);
    if (changed) updates.push({ id, data: { ...row, ...(heldIds.has(id) ? { labelOverrides: overrides.get(id) } : {}), lastSeenAt: now } });
  }
  const seen = new Set(h.nodes.map((n) => n.externalId));
  const removed = existing.filter((n) => !seen.has(n.externalId) && n.state !== "removed").map((n) => n.id);

  // Insert parents before children is not needed: the FK is checked per statement and createMany
  // inserts one statement per chunk, so order chunks by depth. 200 rows a statement: Prisma keeps its
  // last ~33 query plans (with their rows inline) in its debug history, so a chunk's size is also memory
  // the process keeps after the sync (see coverage-rows.ts).
  toCreate.sort((a, b) => a.depth - b.depth);
  for (let i = 0; i < toCreate.length; i += INSERT_BATCH) {
    await insertNodes(prisma, toCreate.slice(i, i + INSERT_BATCH));
  }
  for (let i = 0; i < updates.length; i += 200) {
    await updateNodes(prisma, updates.slice(i, i + 200));
  }
  if (removed.length) await markNodesRemoved(prisma, removed);
  if (held.length > 0)
    await recordHeldLabels(
      prisma,
      workspaceId,
      connectionId,
      held,
      (id) => h.nodes.find((n) => idOf.get(n.externalId) === id)?.labels ?? {},
    );
  return { created: toCreate.length, updated: updates.length, removed: removed.length, newEnvironmentIds, held: held.length };
}
