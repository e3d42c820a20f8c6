import type { PrismaClient } from "@parapet/db";

/**
 * Per-connection reconcile leases (columns on `connection`): whoever holds an unexpired lease
 * reconciles; a crashed holder's lease simply expires.
 */
/**
 * Takes or renews the lease. Time is the database's clock, one clock for every worker process, unless
 * `at` is given: a test's clock that has moved on, so a dead holder's lease is seen expired without
 * waiting for it.
 */
export async function acquireLease(prisma: PrismaClient, connectionId: string, owner: string, ms: number, at?: Date): Promise<boolean> {
  const now = at ?? null;
  const n = await prisma.$executeRaw`
    UPDATE connection SET "reconcileLeaseOwner" = ${owner}, "reconcileLeaseUntil" = COALESCE(${now}::timestamptz, now()) + (${ms}::int * interval '1 millisecond')
    WHERE id = ${connectionId} AND ("reconcileLeaseUntil" IS NULL OR "reconcileLeaseUntil" < COALESCE(${now}::timestamptz, now()) OR "reconcileLeaseOwner" = ${owner})`;
  return n === 1;
}

export async function releaseLease(prisma: PrismaClient, connectionId: string, owner: string): Promise<void> {
  await prisma.$executeRaw`UPDATE connection SET "reconcileLeaseOwner" = NULL, "reconcileLeaseUntil" = NULL WHERE id = ${connectionId} AND "reconcileLeaseOwner" = ${owner}`;
}

/**
 * Every lease a worker process holds, released at once: the forced end of a shutdown that overran its
 * deadline, so the next worker reconciles those connections now instead of after the lease runs out.
 * Returns how many were released.
 */
export async function releaseLeasesHeldBy(prisma: PrismaClient, owner: string): Promise<number> {
  return prisma.$executeRaw`UPDATE connection SET "reconcileLeaseOwner" = NULL, "reconcileLeaseUntil" = NULL WHERE "reconcileLeaseOwner" = ${owner}`;
}
