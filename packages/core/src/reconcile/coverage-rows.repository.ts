import type { PrismaClient, Tx } from "@parapet/db";
import type { CoverageRowInput } from "./coverage-rows.ts";

/** The environments that have coverage rows on the connection (one entry each, grouped in the database). */
export async function storedCoverageNodeIds(prisma: PrismaClient, connectionId: string): Promise<string[]> {
  const groups = await prisma.coverageRow.groupBy({ by: ["nodeId"], where: { connectionId } });
  return groups.map((g) => g.nodeId);
}

/** The connection's coverage rows of these environments, as the diff compares them. */
export function existingCoverageRows(db: PrismaClient | Tx, connectionId: string, nodeIds: string[]) {
  return db.coverageRow.findMany({
    where: { connectionId, nodeId: { in: nodeIds } },
    select: { id: true, nodeId: true, guardrailId: true, status: true, fidelity: true, detail: true },
  });
}

/** Runs `fn` in one interactive transaction that may last up to `timeoutMs`. */
export function coverageTransaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>, timeoutMs: number): Promise<T> {
  return prisma.$transaction(fn, { timeout: timeoutMs });
}

/** Writes one coverage diff inside the caller's transaction: deletes, then grouped updates, then inserts, `batch` ids per statement. */
export async function applyCoverageDiff(
  tx: Tx,
  workspaceId: string,
  connectionId: string,
  diff: { inserts: CoverageRowInput[]; updates: Map<string, { row: CoverageRowInput; ids: string[] }>; deletes: string[] },
  batch: number,
): Promise<void> {
  const { inserts, updates, deletes } = diff;
  for (let i = 0; i < deletes.length; i += batch) await tx.coverageRow.deleteMany({ where: { id: { in: deletes.slice(i, i + batch) } } });
  for (const { row, ids } of updates.values()) {
    for (let i = 0; i < ids.length; i += batch) {
      await tx.coverageRow.updateMany({
        where: { id: { in: ids.slice(i, i + batch) } },
        data: { status: row.status, fidelity: row.fidelity, detail: row.detail },
      });
    }
  }
  for (let i = 0; i < inserts.length; i += batch) {
    await tx.coverageRow.createMany({ data: inserts.slice(i, i + batch).map((r) => ({ ...r, workspaceId, connectionId })) });
  }
}

/**
 * From here to the end of the transaction, the cell triggers leave this connection's aggregate counts
 * alone (migration 20261207010100_coverage_aggregates_bulk); the caller must end with
 * `rebuildCoverageAggregates` in the same transaction.
 */
export async function startBulkCoverage(tx: Tx, connectionId: string): Promise<void> {
  await tx.$queryRaw`SELECT set_config('parapet.coverage_bulk', ${connectionId}, true)`;
}

/** Recounts the connection's coverage aggregates from its rows (one pass, under the connection's lock). */
export async function rebuildCoverageAggregates(tx: Tx, connectionId: string): Promise<void> {
  await tx.$queryRaw`SELECT coverage_aggregates_rebuild(${connectionId})::text`;
}
