import { readRows, type PrismaClient, type Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function listMembers(db: Db, workspaceId: string) {
  return db.member.findMany({
    where: { organizationId: workspaceId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export function pendingInvitations(db: Db, workspaceId: string) {
  return db.invitation.findMany({
    where: { organizationId: workspaceId, status: "pending", expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "asc" },
  });
}

export function findMember(db: Db, workspaceId: string, id: string) {
  return db.member.findFirst({
    where: { id, organizationId: workspaceId },
    include: { user: { select: { id: true, email: true, name: true } } },
  });
}

export function memberByEmail(db: Db, workspaceId: string, email: string) {
  return db.member.findFirst({ where: { organizationId: workspaceId, user: { email: { equals: email, mode: "insensitive" } } } });
}

export function pendingInvitationFor(db: Db, workspaceId: string, email: string) {
  return db.invitation.findFirst({
    where: { organizationId: workspaceId, email: { equals: email, mode: "insensitive" }, status: "pending", expiresAt: { gt: new Date() } },
  });
}

export function createInvitation(
  tx: Tx,
  data: { id: string; workspaceId: string; email: string; role: string; inviterId: string; expiresAt: Date },
) {
  return tx.invitation.create({
    data: {
      id: data.id,
      organizationId: data.workspaceId,
      email: data.email,
      role: data.role,
      inviterId: data.inviterId,
      expiresAt: data.expiresAt,
      status: "pending",
    },
  });
}

export function countOwners(db: Db, workspaceId: string) {
  return db.member.count({ where: { organizationId: workspaceId, role: "owner" } });
}

export function setRole(tx: Tx, id: string, role: string) {
  return tx.member.update({ where: { id }, data: { role }, include: { user: { select: { id: true, email: true, name: true } } } });
}

export function removeMember(tx: Tx, id: string) {
  return tx.member.delete({ where: { id } });
}

/** The user and the workspace by id (each null when missing): one statement on the pool (readRows), as `/me` is hot. */
export async function findUserAndWorkspace(
  db: Db,
  userId: string,
  workspaceId: string,
): Promise<[{ id: string; email: string; name: string } | null, { id: string; name: string; slug: string } | null]> {
  const [row] = await readRows<{
    user: { id: string; email: string; name: string } | null;
    workspace: { id: string; name: string; slug: string } | null;
  }>(
    db,
    `SELECT (SELECT json_build_object('id', u.id, 'email', u.email, 'name', u.name) FROM "user" u WHERE u.id = $1) AS "user",
            (SELECT json_build_object('id', w.id, 'name', w.name, 'slug', w.slug) FROM workspace w WHERE w.id = $2) AS workspace`,
    [userId, workspaceId],
  );
  return [row?.user ?? null, row?.workspace ?? null];
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

// Invitations: acceptance, revocation, failed sign-ins and the invitation e-mail.

/** An invitation with its workspace (id, name) and inviter, as the invitation link page needs it. */
export function findInvitationForLink(db: Db, id: string) {
  return db.invitation.findUnique({
    where: { id },
    include: { workspace: { select: { id: true, name: true } }, inviter: { select: { name: true, email: true, emailVerified: true } } },
  });
}

/** An invitation with its workspace's name and inviter, as the invitation e-mail needs it. */
export function findInvitationForEmail(db: Db, id: string) {
  return db.invitation.findUnique({
    where: { id },
    include: { workspace: { select: { name: true } }, inviter: { select: { name: true, email: true, emailVerified: true } } },
  });
}

/** The account registered for an address (compared case-insensitively). */
export function accountForEmail(db: Db, email: string) {
  return db.user.findFirst({
    where: { email: { equals: email, mode: "insensitive" } },
    select: { id: true, email: true, emailVerified: true },
  });
}

/** Claims a pending, unexpired invitation as accepted; count 1 when this caller won. */
export function claimInvitation(tx: Tx, id: string) {
  return tx.invitation.updateMany({ where: { id, status: "pending", expiresAt: { gt: new Date() } }, data: { status: "accepted" } });
}

export function findInvitationOrThrow(tx: Tx, id: string) {
  return tx.invitation.findUniqueOrThrow({ where: { id } });
}

export function markEmailVerified(tx: Tx, userId: string) {
  return tx.user.update({ where: { id: userId }, data: { emailVerified: true } });
}

export function userEmailVerified(tx: Tx, userId: string) {
  return tx.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerified: true } });
}

export function findMembership(tx: Tx, workspaceId: string, userId: string) {
  return tx.member.findUnique({ where: { organizationId_userId: { organizationId: workspaceId, userId } } });
}

export function insertMember(tx: Tx, data: { id: string; organizationId: string; userId: string; role: string; createdAt: Date }) {
  return tx.member.create({ data });
}

/** A pending invitation of the workspace, or null. */
export function findPendingInvitation(tx: Tx, workspaceId: string, id: string) {
  return tx.invitation.findFirst({ where: { id, organizationId: workspaceId, status: "pending" } });
}

export function cancelInvitation(tx: Tx, id: string) {
  return tx.invitation.update({ where: { id }, data: { status: "canceled" } });
}

const pendingFor = (address: string) => ({ email: { equals: address, mode: "insensitive" as const }, status: "pending" });

/** Counts a failed sign-in against every pending invitation to the address. */
export function countFailedSignIn(tx: Tx, address: string) {
  return tx.invitation.updateMany({ where: pendingFor(address), data: { failedSignIns: { increment: 1 } } });
}

/** Pending invitations to the address with at least `limit` failed sign-ins. */
export function spentInvitations(tx: Tx, address: string, limit: number) {
  return tx.invitation.findMany({
    where: { ...pendingFor(address), failedSignIns: { gte: limit } },
    select: { id: true, organizationId: true, email: true, failedSignIns: true },
  });
}

/** Cancels an invitation if it is still pending; count 1 when this caller cancelled it. */
export function cancelIfPending(tx: Tx, id: string) {
  return tx.invitation.updateMany({ where: { id, status: "pending" }, data: { status: "canceled" } });
}

/** A member of this workspace with what an MFA reset needs: their user, role and whether a factor row exists. */
export async function findMemberForMfa(db: Db, workspaceId: string, memberId: string) {
  const m = await db.member.findFirst({
    where: { id: memberId, organizationId: workspaceId },
    select: {
      userId: true,
      role: true,
      user: { select: { email: true, twoFactorEnabled: true, twoFactors: { select: { id: true }, take: 1 } } },
    },
  });
  return m ? { userId: m.userId, role: m.role, user: m.user, hasFactor: m.user.twoFactors.length > 0 } : null;
}
