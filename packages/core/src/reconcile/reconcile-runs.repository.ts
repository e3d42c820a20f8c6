import type { Prisma, PrismaClient } from "@parapet/db";

/** The connection row a reconcile or a connection task starts from (all columns, credentials included). */
export function findConnectionById(prisma: PrismaClient, id: string) {
  return prisma.connection.findUnique({ where: { id } });
}

/** Records a finished discovery: when, and the root the cloud reported if none was stored yet. */
export function markDiscovered(prisma: PrismaClient, id: string, rootId: string | null) {
  return prisma.connection.update({ where: { id }, data: { lastDiscoveredAt: new Date(), rootId } });
}

/** Stores a verify result (and the status, error and root it implies) on the connection. */
export function recordVerifyResult(prisma: PrismaClient, id: string, data: Prisma.ConnectionUpdateInput) {
  return prisma.connection.update({ where: { id }, data });
}

export function insertReconcileRun(prisma: PrismaClient, data: Prisma.ReconcileRunUncheckedCreateInput) {
  return prisma.reconcileRun.create({ data });
}

/** Active (or erroring) connections whose polling interval has passed, at most 1000. */
export function dueConnectionIds(prisma: PrismaClient) {
  return prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM connection
    WHERE status IN ('active', 'error')
      AND ("lastReconciledAt" IS NULL OR "lastReconciledAt" < now() - ("pollIntervalSec" * interval '1 second'))
    LIMIT 1000`;
}

export function updateReconcileRun(prisma: PrismaClient, id: string, data: Prisma.ReconcileRunUpdateInput) {
  return prisma.reconcileRun.update({ where: { id }, data });
}

/** Records a reconcile's outcome (status, error, when) on the connection. */
export function updateConnectionOutcome(prisma: PrismaClient, id: string, data: Prisma.ConnectionUpdateInput) {
  return prisma.connection.update({ where: { id }, data });
}
