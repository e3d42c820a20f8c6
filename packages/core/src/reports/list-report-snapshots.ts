import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { asReportModel } from "./model.ts";
import { listSnapshotRows } from "./report-store.repository.ts";

/** Past weekly reports of the workspace, newest first (a year's worth). */
export async function listReportSnapshots(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const rows = await listSnapshotRows(deps.prisma, actor.workspaceId, 52);
  return rows.map((r) => {
    const m = asReportModel(r.model);
    return {
      id: r.id,
      periodStart: r.periodStart.toISOString(),
      periodEnd: r.periodEnd.toISOString(),
      createdAt: r.createdAt.toISOString(),
      label: m.period.label,
      coveragePct: m.headline.coverage.coveragePct,
      changePts: m.headline.changePts,
      openDrift: m.headline.openDrift,
      deliveries: r._count.deliveries,
    };
  });
}
