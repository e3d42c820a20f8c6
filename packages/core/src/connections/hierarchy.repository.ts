import type { Prisma, PrismaClient, Tx } from "@parapet/db";

/** Every node recorded for a connection (removed ones included), with what a sync compares. */
export function hierarchyNodes(prisma: PrismaClient, connectionId: string) {
  return prisma.node.findMany({
    where: { connectionId },
    select: {
      id: true,
      externalId: true,
      parentId: true,
      name: true,
      kind: true,
      isEnvironment: true,
      cloudLabels: true,
      labelOverrides: true,
      effectiveLabels: true,
      path: true,
      depth: true,
      state: true,
    },
  });
}

/** One INSERT statement for the chunk given (the caller orders chunks parents first). */
export function insertNodes(prisma: PrismaClient, data: Prisma.NodeCreateManyInput[]) {
  return prisma.node.createMany({ data });
}

/** Updates a batch of nodes in one transaction. */
export function updateNodes(prisma: PrismaClient, updates: Array<{ id: string; data: Record<string, unknown> }>) {
  return prisma.$transaction(updates.map((u) => prisma.node.update({ where: { id: u.id }, data: u.data })));
}

export function markNodesRemoved(prisma: PrismaClient, ids: string[]) {
  return prisma.node.updateMany({ where: { id: { in: ids } }, data: { state: "removed" } });
}

/** The open finding with this fingerprint on the connection, if any. */
export function findOpenFinding(prisma: PrismaClient, connectionId: string, fingerprint: string) {
  return prisma.driftFinding.findFirst({ where: { connectionId, fingerprint, status: "open" }, select: { id: true } });
}

export function refreshFinding(
  prisma: PrismaClient,
  id: string,
  data: { summary: string; expected: object; observed: Record<string, string>; lastSeenAt: Date },
) {
  return prisma.driftFinding.update({ where: { id }, data });
}

export function insertHeldFinding(
  prisma: PrismaClient,
  data: {
    workspaceId: string;
    connectionId: string;
    nodeId: string;
    guardrailId: string;
    kind: "label_held";
    fingerprint: string;
    summary: string;
    expected: object;
    observed: Record<string, string>;
    lastSeenAt: Date;
  },
) {
  return prisma.driftFinding.create({ data });
}

/** Resolves the node's open `label_held` findings as settled by hand (`by`). */
export function resolveHeldFindings(db: PrismaClient | Tx, nodeId: string, by: string) {
  return db.driftFinding.updateMany({
    where: { nodeId, kind: "label_held", status: "open" },
    data: { status: "resolved", resolvedAt: new Date(), resolution: "manual", resolvedBy: by },
  });
}
