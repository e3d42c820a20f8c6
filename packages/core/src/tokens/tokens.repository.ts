import { readRows, type PrismaClient, type Tx } from "@parapet/db";

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
export interface KeyRow {
  id: string;
  name: string | null;
  referenceId: string;
  metadata: string | null;
  enabled: boolean | null;
  /** Epoch milliseconds, or null for a key that never expires. */
  expiresAtMs: number | null;
  remaining: number | null;
  permissions: string | null;
  rateLimitEnabled: boolean | null;
  rateLimitMax: number | null;
  rateLimitTimeWindow: number | null;
  /** Epoch milliseconds of the last recorded use, or null. */
  lastRequestMs: number | null;
}

/**
 * On every API request, so it is one plain statement on the pool (readRows) rather than a Prisma
 * query: timestamps come back as epoch milliseconds (float8), which both readRows paths read alike.
 */
export async function findKeyByHash(db: Db, hash: string): Promise<KeyRow | null> {
  const rows = await readRows<KeyRow>(
    db,
    `SELECT id, name, "referenceId", metadata, enabled, (extract(epoch FROM "expiresAt") * 1000)::float8 AS "expiresAtMs",
            remaining, permissions, "rateLimitEnabled", "rateLimitMax", "rateLimitTimeWindow",
            (extract(epoch FROM "lastRequest") * 1000)::float8 AS "lastRequestMs"
     FROM apikey WHERE key = $1 LIMIT 1`,
    [hash],
  );
  return rows[0] ?? null;
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
