import type { PrismaClient, Tx } from "@parapet/db";
import type { TListDriftQuery } from "./drift.schema.ts";

type Db = PrismaClient | Tx;
const refs = {
  connection: { select: { id: true, name: true, cloud: true } },
  guardrail: { select: { id: true, name: true } },
  node: { select: { id: true, name: true } },
};

/** A page of findings, newest first (openedAt, then id, descending), after the cursor's (openedAt, id). */
export function listDrift(
  db: Db,
  workspaceId: string,
  q: Omit<TListDriftQuery, "limit" | "cursor">,
  after: { t: string; id: string } | undefined,
  take: number,
) {
  return db.driftFinding.findMany({
    where: {
      workspaceId,
      ...(q.status ? { status: q.status } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.connectionId ? { connectionId: q.connectionId } : {}),
      ...(q.guardrailId ? { guardrailId: q.guardrailId } : {}),
      // Keyset: after (openedAt, id) of the last row. The `lte` is implied by the OR but is what the
      // planner can use as an index bound ((workspaceId, status, openedAt) or (workspaceId, openedAt)),
      // so a deep page starts at the cursor instead of reading and discarding every row before it.
      ...(after
        ? {
            openedAt: { lte: new Date(after.t) },
            OR: [{ openedAt: { lt: new Date(after.t) } }, { openedAt: new Date(after.t), id: { lt: after.id } }],
          }
        : {}),
    },
    include: refs,
    orderBy: [{ openedAt: "desc" }, { id: "desc" }],
    take,
  });
}

export function findDrift(db: Db, workspaceId: string, id: string) {
  return db.driftFinding.findFirst({ where: { id, workspaceId }, include: refs });
}

export function auditAbout(db: Db, workspaceId: string, targetType: string, targetId: string) {
  return db.auditEvent.findMany({ where: { workspaceId, targetType, targetId }, orderBy: { seq: "asc" }, take: 200 });
}

/** Opened and resolved counts per UTC day since `since` (one grouped query each). */
export async function dailyCounts(db: Db, workspaceId: string, since: Date) {
  const opened = await db.$queryRaw<Array<{ day: Date; n: bigint }>>`
    SELECT date_trunc('day', "openedAt") AS day, count(*)::bigint AS n FROM drift_finding
    WHERE "workspaceId" = ${workspaceId} AND "openedAt" >= ${since} GROUP BY 1`;
  const resolved = await db.$queryRaw<Array<{ day: Date; n: bigint }>>`
    SELECT date_trunc('day', "resolvedAt") AS day, count(*)::bigint AS n FROM drift_finding
    WHERE "workspaceId" = ${workspaceId} AND "resolvedAt" >= ${since} GROUP BY 1`;
  return { opened, resolved };
}
