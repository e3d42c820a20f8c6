import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

export const listUserSessions = (db: Db, userId: string) =>
  db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: "desc" },
    select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true, ipAddress: true, userAgent: true },
  });

export const deleteUserSession = async (db: Db, userId: string, id: string) =>
  (await db.session.deleteMany({ where: { id, userId } })).count;

export const deleteAllUserSessions = async (db: Db, userId: string) => (await db.session.deleteMany({ where: { userId } })).count;

export const findWorkspaceMember = (db: Db, workspaceId: string, memberId: string) =>
  db.member.findFirst({
    where: { id: memberId, organizationId: workspaceId },
    select: { userId: true, role: true, user: { select: { email: true } } },
  });
