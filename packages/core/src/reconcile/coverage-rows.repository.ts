import type { PrismaClient } from "@parapet/db";
import type { CoverageRowInput } from "./coverage-rows.ts";

/** A connection's coverage rows as the diff compares them. */
export function existingCoverageRows(prisma: PrismaClient, connectionId: string) {
  return prisma.coverageRow.findMany({
    where: { connectionId },
    select: { id: true, nodeId: true, guardrailId: true, status: true, fidelity: true, detail: true },
  });
}

/** Writes a coverage diff in one transaction (60 s timeout): deletes, then grouped updates, then inserts, `batch` ids per statement. */
export async function applyCoverageDiff(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  diff: { inserts: CoverageRowInput[]; updates: Map<string, { row: CoverageRowInput; ids: string[] }>; deletes: string[] },
  batch: number,
): Promise<void> {
  const { inserts, updates, deletes } = diff;
  await prisma.$transaction(
    async (tx) => {
      for (let i = 0; i < deletes.length; i += batch)
        await tx.coverageRow.deleteMany({ where: { id: { in: deletes.slice(i, i + batch) } } });
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
    },
    { timeout: 60_000 },
  );
}
