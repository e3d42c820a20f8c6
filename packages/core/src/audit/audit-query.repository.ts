import type { PrismaClient } from "@parapet/db";
import type { TAuditExportQuery } from "./audit-query.schema.ts";

type Filter = Omit<TAuditExportQuery, "format">;

function where(workspaceId: string, f: Filter, beforeSeq?: number) {
  return {
    workspaceId,
    ...(f.action ? { action: f.action.endsWith("*") ? { startsWith: f.action.slice(0, -1) } : f.action } : {}),
    ...(f.actor ? { OR: [{ actorLabel: { contains: f.actor, mode: "insensitive" as const } }, { actorId: f.actor }] } : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.targetId ? { targetId: f.targetId } : {}),
    ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lte: new Date(f.to) } : {}) } } : {}),
    ...(f.q
      ? {
          AND: [
            {
              OR: [
                { action: { contains: f.q, mode: "insensitive" as const } },
                { actorLabel: { contains: f.q, mode: "insensitive" as const } },
                { targetId: { contains: f.q, mode: "insensitive" as const } },
              ],
            },
          ],
        }
      : {}),
    ...(beforeSeq !== undefined ? { seq: { lt: beforeSeq } } : {}),
  };
}

/** Newest first, keyed by the chain's sequence number (unique per workspace). */
export function auditPage(prisma: PrismaClient, workspaceId: string, f: Filter, beforeSeq: number | undefined, take: number) {
  return prisma.auditEvent.findMany({ where: where(workspaceId, f, beforeSeq), orderBy: { seq: "desc" }, take });
}

/** Oldest first from `afterSeq`, for exports streamed in pages. */
export function auditChunk(prisma: PrismaClient, workspaceId: string, f: Filter, afterSeq: number, take: number) {
  return prisma.auditEvent.findMany({ where: { ...where(workspaceId, f), seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take });
}

export function workspaceBySlug(prisma: PrismaClient, slug: string) {
  return prisma.workspace.findUnique({ where: { slug }, select: { id: true, name: true, slug: true } });
}
