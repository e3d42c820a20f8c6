import { Prisma, type PrismaClient, type Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export interface ScopeNodeRow {
  id: string;
  connectionId: string;
  parentId: string | null;
  isEnvironment: boolean;
  name: string;
  effectiveLabels: unknown;
}

/** Every active node of the workspace with what scope selection needs (one query). */
export function scopeNodes(db: Db, workspaceId: string, connectionId?: string): Promise<ScopeNodeRow[]> {
  return db.node.findMany({
    where: { workspaceId, state: "active", ...(connectionId ? { connectionId } : {}) },
    select: { id: true, connectionId: true, parentId: true, isEnvironment: true, name: true, effectiveLabels: true },
  });
}

/** Which of these ids are nodes of the workspace. */
export async function existingNodeIds(db: Db, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.node.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

export function findNode(db: Db, workspaceId: string, id: string) {
  return db.node.findFirst({ where: { id, workspaceId }, include: { _count: { select: { children: true } } } });
}

export function connectionNames(db: Db, workspaceId: string) {
  return db.connection.findMany({ where: { workspaceId }, select: { id: true, name: true, cloud: true } });
}

export interface NodeListFilter {
  workspaceId: string;
  connectionId: string;
  parentId?: string | undefined;
  q?: string | undefined;
  /** The sort key of the last node of the previous page. */
  afterKey?: string | undefined;
  take: number;
}

export interface NodeListRow {
  id: string;
  connectionId: string;
  externalId: string;
  kind: string;
  name: string;
  parentId: string | null;
  isEnvironment: boolean;
  effectiveLabels: unknown;
  cloudLabels: unknown;
  labelOverrides: unknown;
  sortKey: string;
  _count: { children: number };
}

/**
 * Children of a node (roots when no parent and no search), or a name/id search across the connection,
 * in hierarchy order (node.sortKey: siblings by lower(name) then id, a search's hits in tree order).
 * A level is a range of the (parentId, sortKey) index read from the cursor's key, so a page of a
 * 10,000-account flat organisation reads one page of rows, not the level. Raw SQL because Prisma's
 * `_count` of children joins a GROUP BY over every node of the table (all workspaces) to each page;
 * here each row's count of active children is an index-only scan of that same index.
 */
export async function listNodes(db: Db, f: NodeListFilter): Promise<NodeListRow[]> {
  // A search spans the connection (or one parent's children when given); a listing is one level.
  const level = f.parentId ? Prisma.sql`AND n."parentId" = ${f.parentId}` : f.q ? Prisma.empty : Prisma.sql`AND n."parentId" IS NULL`;
  // The search text is matched literally: LIKE's wildcards and escape in it are escaped.
  const pattern = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const search = pattern ? Prisma.sql`AND (n.name ILIKE ${pattern} OR n."externalId" ILIKE ${pattern})` : Prisma.empty;
  const after = f.afterKey !== undefined ? Prisma.sql`AND n."sortKey" > ${f.afterKey}` : Prisma.empty;
  const rows = await db.$queryRaw<Array<Omit<NodeListRow, "_count"> & { childCount: number }>>`
    SELECT n.id, n."connectionId", n."externalId", n.kind, n.name, n."parentId", n."isEnvironment",
           n."effectiveLabels", n."cloudLabels", n."labelOverrides", n."sortKey",
           (SELECT count(*)::int FROM node c WHERE c."parentId" = n.id AND c.state = 'active') AS "childCount"
    FROM node n
    WHERE n."workspaceId" = ${f.workspaceId} AND n."connectionId" = ${f.connectionId} AND n.state = 'active' ${level} ${search} ${after}
    ORDER BY n."sortKey"
    LIMIT ${f.take}`;
  return rows.map(({ childCount, ...n }) => ({ ...n, _count: { children: childCount } }));
}

export function connectionTree(db: Db, connectionId: string) {
  return db.node.findMany({
    where: { connectionId },
    select: { id: true, parentId: true, cloudLabels: true, labelOverrides: true, effectiveLabels: true },
  });
}

export function setOverrides(db: Db, id: string, overrides: Record<string, string | null>) {
  return db.node.update({ where: { id }, data: { labelOverrides: overrides } });
}

export function setEffectiveLabels(db: Db, id: string, labels: Record<string, string>) {
  return db.node.update({ where: { id }, data: { effectiveLabels: labels } });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 60_000 });
}

/** A node's current label overrides and connection (applying an approved label change). */
export function findNodeOverrides(db: Db, workspaceId: string, id: string) {
  return db.node.findFirst({ where: { id, workspaceId }, select: { id: true, connectionId: true, labelOverrides: true } });
}
