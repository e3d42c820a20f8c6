import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function listMembers(db: Db, workspaceId: string) {
  return db.member.findMany({ where: { organizationId: workspaceId }, include: { user: { select: { id: true, email: true, name: true } } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

export function pendingInvitations(db: Db, workspaceId: string) {
  return db.invitation.findMany({ where: { organizationId: workspaceId, status: "pending", expiresAt: { gt: new Date() } }, orderBy: { createdAt: "asc" } });
}

export function findMember(db: Db, workspaceId: string, id: string) {
  return db.member.findFirst({ where: { id, organizationId: workspaceId }, include: { user: { select: { id: true, email: true, name: true } } } });
}

export function memberByEmail(db: Db, workspaceId: string, email: string) {
  return db.member.findFirst({ where: { organizationId: workspaceId, user: { email: { equals: email, mode: "insensitive" } } } });
}

export function pendingInvitationFor(db: Db, workspaceId: string, email: string) {
  return db.invitation.findFirst({ where: { organizationId: workspaceId, email: { equals: email, mode: "insensitive" }, status: "pending", expiresAt: { gt: new Date() } } });
}

export function createInvitation(tx: Tx, data: { id: string; workspaceId: string; email: string; role: string; inviterId: string; expiresAt: Date }) {
  return tx.invitation.create({ data: { id: data.id, organizationId: data.workspaceId, email: data.email, role: data.role, inviterId: data.inviterId, expiresAt: data.expiresAt, status: "pending" } });
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

export function findUserAndWorkspace(db: Db, userId: string, workspaceId: string) {
  return Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } }),
    db.workspace.findUnique({ where: { id: workspaceId }, select: { id: true, name: true, slug: true } }),
  ]);
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}
