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

/**
 * How long until the connection's lease expires, on the same clock `acquireLease` uses (the database's,
 * or `at`): `null` when nobody holds it, 0 when it has expired. A job that found the lease held waits
 * this long instead of giving up.
 */
export async function leaseExpiresInMs(prisma: PrismaClient, connectionId: string, at?: Date): Promise<number | null> {
  const now = at ?? null;
  const rows = await prisma.$queryRaw<{ ms: number | null }[]>`
    SELECT (EXTRACT(EPOCH FROM ("reconcileLeaseUntil" - COALESCE(${now}::timestamptz, now()))) * 1000)::float8 AS ms
    FROM connection WHERE id = ${connectionId}`;
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Math.ceil(ms));
}
