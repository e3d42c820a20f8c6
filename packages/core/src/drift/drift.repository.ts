import { readRows, type PrismaClient, type Tx } from "@parapet/db";
import type { TListDriftQuery } from "./drift.schema.ts";

type Db = PrismaClient | Tx;
const refs = {
  connection: { select: { id: true, name: true, cloud: true } },
  guardrail: { select: { id: true, name: true } },
  node: { select: { id: true, name: true } },
};

/**
 * A page of findings, newest first (openedAt, then id, descending), after the cursor's (openedAt, id),
 * with each finding's connection, guardrail and node names. The drift list is a dashboard page, so this
 * is one plain statement on the pool (readRows) rather than Prisma's four (the findings, then one per
 * relation), which cost several milliseconds of CPU per request (bench/RESULTS.md §4f). Timestamps come
 * back as epoch milliseconds and become Dates here, so callers see what Prisma returned.
 */
export async function listDrift(
  db: Db,
  workspaceId: string,
  q: Omit<TListDriftQuery, "limit" | "cursor">,
  after: { t: string; id: string } | undefined,
  take: number,
) {
  const values: unknown[] = [workspaceId, take];
  const param = (v: unknown) => `$${values.push(v)}`;
  const where = [
    q.status ? `AND d.status = ${param(q.status)}::"DriftStatus"` : "",
    q.kind ? `AND d.kind = ${param(q.kind)}::"DriftKind"` : "",
    q.connectionId ? `AND d."connectionId" = ${param(q.connectionId)}` : "",
    q.guardrailId ? `AND d."guardrailId" = ${param(q.guardrailId)}` : "",
  ];
  if (after) {
    // Keyset: after (openedAt, id) of the last row. The `<=` is implied by the OR but is what the
    // planner can use as an index bound ((workspaceId, status, openedAt) or (workspaceId, openedAt)),
    // so a deep page starts at the cursor instead of reading and discarding every row before it.
    // Stored times are UTC wall times (timestamp without time zone), the cursor an ISO instant.
    const t = param(after.t);
    const id = param(after.id);
    where.push(
      `AND d."openedAt" <= (${t}::timestamptz AT TIME ZONE 'UTC')
       AND (d."openedAt" < (${t}::timestamptz AT TIME ZONE 'UTC') OR (d."openedAt" = (${t}::timestamptz AT TIME ZONE 'UTC') AND d.id < ${id}))`,
    );
  }
  const rows = await readRows<{
    id: string;
    kind: string;
    status: string;
    summary: string;
    actor: string | null;
    openedAtMs: number;
    lastSeenAtMs: number;
    resolvedAtMs: number | null;
    resolution: string | null;
    resolvedBy: string | null;
    connection: { id: string; name: string; cloud: string };
    guardrail: { id: string; name: string } | null;
    node: { id: string; name: string } | null;
  }>(
    db,
    `SELECT d.id, d.kind::text AS kind, d.status::text AS status, d.summary, d.actor,
            (extract(epoch FROM d."openedAt") * 1000)::float8 AS "openedAtMs",
            (extract(epoch FROM d."lastSeenAt") * 1000)::float8 AS "lastSeenAtMs",
            (extract(epoch FROM d."resolvedAt") * 1000)::float8 AS "resolvedAtMs",
            d.resolution, d."resolvedBy",
            json_build_object('id', c.id, 'name', c.name, 'cloud', c.cloud) AS connection,
            CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'name', g.name) END AS guardrail,
            CASE WHEN n.id IS NULL THEN NULL ELSE json_build_object('id', n.id, 'name', n.name) END AS node
     FROM drift_finding d
     JOIN connection c ON c.id = d."connectionId"
     LEFT JOIN guardrail g ON g.id = d."guardrailId"
     LEFT JOIN node n ON n.id = d."nodeId"
     WHERE d."workspaceId" = $1 ${where.join(" ")}
     ORDER BY d."openedAt" DESC, d.id DESC
     LIMIT $2`,
    values,
  );
  return rows.map(({ openedAtMs, lastSeenAtMs, resolvedAtMs, ...r }) => ({
    ...r,
    openedAt: new Date(openedAtMs),
    lastSeenAt: new Date(lastSeenAtMs),
    resolvedAt: resolvedAtMs === null ? null : new Date(resolvedAtMs),
  }));
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
