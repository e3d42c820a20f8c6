/** Denials (real calls a cloud refused) and how far each connection's audit log has been read for them. */
import type { Prisma, PrismaClient } from "@parapet/db";

export function connectionForDenials(prisma: PrismaClient, id: string) {
  return prisma.connection.findUnique({ where: { id } });
}

/** Connections whose audit log is read for denials: active ones with credentials. */
export function denialConnections(prisma: PrismaClient) {
  return prisma.connection.findMany({
    where: { status: { in: ["active", "error"] }, credentialCiphertext: { not: null } },
    select: { id: true },
    take: 1000,
  });
}

/** The workspace's active guardrails with their current version, as deployed (mode as set). */
export async function activeGuardrails(prisma: PrismaClient, workspaceId: string) {
  const gs = await prisma.guardrail.findMany({
    where: { workspaceId, status: "active" },
    select: { id: true, name: true, controlId: true, currentVersion: true, versions: true },
  });
  return gs.flatMap((g) => {
    const v = g.versions.find((x) => x.version === g.currentVersion);
    return v ? [{ id: g.id, name: g.name, controlId: g.controlId, version: v }] : [];
  });
}

export function denialCursor(prisma: PrismaClient, connectionId: string) {
  return prisma.denialCursor.findUnique({ where: { connectionId } });
}

export function saveDenialCursor(prisma: PrismaClient, connectionId: string, readUntil: Date) {
  return prisma.denialCursor.upsert({ where: { connectionId }, create: { connectionId, readUntil }, update: { readUntil } });
}

/** Inserts denials not seen before (by connection and event id); returns the ones inserted. */
export async function insertNewDenials(prisma: PrismaClient, rows: Prisma.DenialCreateManyInput[]) {
  if (rows.length === 0) return [];
  const known = new Set(
    (
      await prisma.denial.findMany({
        where: { connectionId: rows[0]!.connectionId, eventId: { in: rows.map((r) => r.eventId) } },
        select: { eventId: true },
      })
    ).map((r) => r.eventId),
  );
  const fresh = rows.filter((r) => !known.has(r.eventId));
  if (fresh.length) await prisma.denial.createMany({ data: fresh, skipDuplicates: true });
  return fresh;
}

export interface DenialFilter {
  guardrailId?: string | undefined;
  nodeId?: string | undefined;
  principal?: string | undefined;
  parapet?: boolean | undefined;
}

export function denialPage(prisma: PrismaClient, workspaceId: string, f: DenialFilter, limit: number, after?: { t: string; id: string }) {
  return prisma.denial.findMany({
    where: {
      workspaceId,
      ...(f.guardrailId ? { guardrailId: f.guardrailId } : {}),
      ...(f.nodeId ? { nodeId: f.nodeId } : {}),
      ...(f.principal ? { principal: f.principal } : {}),
      ...(f.parapet !== undefined ? { parapet: f.parapet } : {}),
      ...(after ? { OR: [{ time: { lt: new Date(after.t) } }, { time: new Date(after.t), id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ time: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
}

export function findDenial(prisma: PrismaClient, workspaceId: string, id: string) {
  return prisma.denial.findFirst({ where: { id, workspaceId } });
}

/** The channel that delivered the alert of this denial (the requester hears the outcome there). */
export async function channelThatToldDenial(prisma: PrismaClient, workspaceId: string, dedupKey: string): Promise<string | null> {
  const ev = await prisma.notificationEvent.findFirst({ where: { workspaceId, dedupKey }, select: { id: true } });
  if (!ev) return null;
  const d = await prisma.notificationDelivery.findFirst({
    where: { workspaceId, eventIds: { has: ev.id }, status: "sent" },
    orderBy: { createdAt: "asc" },
    select: { channelId: true },
  });
  return d?.channelId ?? null;
}

/** Denials in [from, to) counted by guardrail and by whether Parapet's guardrail refused them (the weekly report). */
export function denialCountsBetween(prisma: PrismaClient, workspaceId: string, from: Date, to: Date) {
  return prisma.denial.groupBy({
    by: ["guardrailId", "parapet"],
    where: { workspaceId, time: { gte: from, lt: to } },
    _count: { _all: true },
  });
}

/** Current names of guardrails, and the name a denial recorded for one that is gone. */
export async function guardrailNamesForDenials(prisma: PrismaClient, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const names = new Map<string, string>();
  const recorded = await prisma.denial.findMany({
    where: { workspaceId, guardrailId: { in: ids }, guardrailName: { not: null } },
    distinct: ["guardrailId"],
    orderBy: [{ guardrailId: "asc" }, { time: "desc" }],
    select: { guardrailId: true, guardrailName: true },
  });
  for (const r of recorded) if (r.guardrailId && r.guardrailName) names.set(r.guardrailId, r.guardrailName);
  for (const g of await prisma.guardrail.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true } }))
    names.set(g.id, g.name);
  return names;
}
