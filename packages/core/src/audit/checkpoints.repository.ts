import type { PrismaClient } from "@parapet/db";

/** The workspace's last audit event (seq and hash): the head a checkpoint signs. */
export function chainHead(prisma: PrismaClient, workspaceId: string) {
  return prisma.auditEvent.findFirst({ where: { workspaceId }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
}

/** Every workspace's id (the periodic checkpoint run). */
export function allWorkspaceIds(prisma: PrismaClient) {
  return prisma.workspace.findMany({ select: { id: true } });
}
