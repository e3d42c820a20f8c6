import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

/** Keys owned by the workspace's members; callers keep those whose metadata names this workspace. */
export async function keysOfMembers(db: Db, workspaceId: string) {
  const members = await db.member.findMany({
    where: { organizationId: workspaceId },
    select: { userId: true, user: { select: { email: true } } },
  });
  const emails = new Map(members.map((m) => [m.userId, m.user.email]));
  const keys = await db.apikey.findMany({
    where: { referenceId: { in: [...emails.keys()] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return { keys, emails };
}

export function findKey(db: Db, id: string) {
  return db.apikey.findUnique({ where: { id } });
}

export function deleteKey(tx: Tx, id: string) {
  return tx.apikey.delete({ where: { id } });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

/** The token whose secret hashes to `hash` (indexed: apikey.key), with what verification checks. */
export function findKeyByHash(db: Db, hash: string) {
  return db.apikey.findFirst({
    where: { key: hash },
    select: {
      id: true,
      name: true,
      referenceId: true,
      metadata: true,
      enabled: true,
      expiresAt: true,
      remaining: true,
      permissions: true,
      rateLimitEnabled: true,
      rateLimitMax: true,
      rateLimitTimeWindow: true,
      lastRequest: true,
    },
  });
}

/**
 * Records a use at most once per `resolutionMs`: the row changes only when its last use is older, so
 * concurrent requests at the boundary write once between them.
 */
export function touchLastRequest(db: Db, id: string, now: Date, resolutionMs: number) {
  const before = new Date(now.getTime() - resolutionMs);
  return db.apikey.updateMany({
    where: { id, OR: [{ lastRequest: null }, { lastRequest: { lte: before } }] },
    data: { lastRequest: now },
  });
}
