import { readRows, type PrismaClient, type Tx } from "@parapet/db";

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

/** The node fields the coverage page needs, as a plain statement (read on every node page view). */
export async function findNodeForCoverage(db: Db, workspaceId: string, id: string) {
  const rows = await readRows<{
    id: string;
    connectionId: string;
    parentId: string | null;
    name: string;
    kind: string;
    externalId: string;
    isEnvironment: boolean;
    path: string;
  }>(
    db,
    `SELECT id, "connectionId", "parentId", name, kind::text AS kind, "externalId", "isEnvironment", path
     FROM node WHERE id = $1 AND "workspaceId" = $2`,
    [id, workspaceId],
  );
  return rows[0] ?? null;
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
  const values: unknown[] = [f.workspaceId, f.connectionId, f.take];
  const param = (v: unknown) => `$${values.push(v)}`;
  // A search spans the connection (or one parent's children when given); a listing is one level.
  const level = f.parentId ? `AND n."parentId" = ${param(f.parentId)}` : f.q ? "" : `AND n."parentId" IS NULL`;
  // The search text is matched literally: LIKE's wildcards and escape in it are escaped.
  let search = "";
  if (f.q) {
    const p = param(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    search = `AND (n.name ILIKE ${p} OR n."externalId" ILIKE ${p})`;
  }
  const after = f.afterKey !== undefined ? `AND n."sortKey" > ${param(f.afterKey)}` : "";
  // A plain statement on the pool (readRows): a tree level is read on every expand of the environment
  // tree, and Prisma's raw query path cost ~3× the CPU of the statement itself (bench/RESULTS.md §4f).
  const rows = await readRows<Omit<NodeListRow, "_count"> & { childCount: number }>(
    db,
    `SELECT n.id, n."connectionId", n."externalId", n.kind::text AS kind, n.name, n."parentId", n."isEnvironment",
            n."effectiveLabels", n."cloudLabels", n."labelOverrides", n."sortKey",
            (SELECT count(*)::int FROM node c WHERE c."parentId" = n.id AND c.state = 'active') AS "childCount"
     FROM node n
     WHERE n."workspaceId" = $1 AND n."connectionId" = $2 AND n.state = 'active' ${level} ${search} ${after}
     ORDER BY n."sortKey"
     LIMIT $3`,
    values,
  );
  return rows.map(({ childCount, ...n }) => ({ ...n, _count: { children: childCount } }));
}

/** Whether the connection is the workspace's (one index probe; the tree's reads check it first). */
export async function connectionInWorkspace(db: Db, workspaceId: string, connectionId: string): Promise<boolean> {
  const rows = await readRows<{ one: number }>(db, `SELECT 1 AS one FROM connection WHERE id = $1 AND "workspaceId" = $2`, [
    connectionId,
    workspaceId,
  ]);
  return rows.length > 0;
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
