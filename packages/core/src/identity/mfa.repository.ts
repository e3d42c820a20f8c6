import { readRows, type PrismaClient, type Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

/** The user's second-factor row (secret and codes stay encrypted and unread here). */
export const findTwoFactor = (db: Db, userId: string) =>
  db.twoFactor.findFirst({ where: { userId }, select: { id: true, verified: true } });

/** The user's e-mail and the workspaces they belong to (where their events are audited). */
export async function workspaceIdsOf(db: Db, userId: string): Promise<{ email: string; workspaceIds: string[] } | null> {
  const u = await db.user.findUnique({ where: { id: userId }, select: { email: true, members: { select: { organizationId: true } } } });
  return u ? { email: u.email, workspaceIds: u.members.map((m) => m.organizationId) } : null;
}

/** Whether a workspace of this user requires MFA and the user signs in with a password. */
export async function mfaRequiredFor(prisma: PrismaClient, userId: string): Promise<boolean> {
  const rows = await readRows<{ required: boolean }>(
    prisma,
    `SELECT EXISTS (SELECT 1 FROM member m JOIN workspace_settings ws ON ws."workspaceId" = m."organizationId"
                    WHERE m."userId" = $1 AND ws."requireMfa")
        AND EXISTS (SELECT 1 FROM auth_account a WHERE a."userId" = $1 AND a."providerId" = 'credential') AS required`,
    [userId],
  );
  return rows[0]?.required === true;
}

/** Removes the user's second factor (an admin's reset): the row and the flag, and every session of theirs. */
export async function resetTwoFactor(tx: Tx, userId: string): Promise<{ hadFactor: boolean; sessionsEnded: number }> {
  const removed = await tx.twoFactor.deleteMany({ where: { userId } });
  const u = await tx.user.update({ where: { id: userId }, data: { twoFactorEnabled: false }, select: { id: true } });
  const sessions = await tx.session.deleteMany({ where: { userId: u.id } });
  return { hadFactor: removed.count > 0, sessionsEnded: sessions.count };
}

/** Enrolled, required (a workspace requires it and the user has a password), password user. */
export async function mfaStatusOf(prisma: PrismaClient, userId: string) {
  const rows = await readRows<{ enabled: boolean; required: boolean; passwordUser: boolean }>(
    prisma,
    `SELECT u."twoFactorEnabled" AS enabled,
            EXISTS (SELECT 1 FROM auth_account a WHERE a."userId" = u.id AND a."providerId" = 'credential') AS "passwordUser",
            EXISTS (SELECT 1 FROM member m JOIN workspace_settings ws ON ws."workspaceId" = m."organizationId"
                    WHERE m."userId" = u.id AND ws."requireMfa") AS required
     FROM "user" u WHERE u.id = $1`,
    [userId],
  );
  const r = rows[0] ?? { enabled: false, required: false, passwordUser: false };
  return { enabled: r.enabled, required: r.required && r.passwordUser, passwordUser: r.passwordUser };
}
