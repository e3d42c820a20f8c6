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
