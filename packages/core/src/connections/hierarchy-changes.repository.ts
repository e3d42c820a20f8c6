import type { PrismaClient } from "@parapet/db";

/**
 * Nodes cloud events named, waiting for targeted discovery (`hierarchy_change`). A null external id asks
 * for a full sweep. Kept in PostgreSQL rather than in the reconcile job: requests collapse into one
 * queued job, and a crash between the event and the read must not lose which nodes to read.
 */
export function recordHierarchyChanges(
  prisma: PrismaClient,
  connectionId: string,
  eventId: string,
  externalIds: ReadonlyArray<string | null>,
) {
  return prisma.hierarchyChange.createMany({ data: externalIds.map((externalId) => ({ connectionId, eventId, externalId })) });
}

/** The waiting changes of a connection, oldest first, at most `limit` (the caller sweeps when there are more). */
export function pendingHierarchyChanges(prisma: PrismaClient, connectionId: string, limit: number) {
  return prisma.hierarchyChange.findMany({
    where: { connectionId },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, externalId: true },
  });
}

/** Forgets the changes up to `upToId` once read (later ones arrived during the read and wait for the next run). */
export function clearHierarchyChanges(prisma: PrismaClient, connectionId: string, upToId: bigint) {
  return prisma.hierarchyChange.deleteMany({ where: { connectionId, id: { lte: upToId } } });
}
