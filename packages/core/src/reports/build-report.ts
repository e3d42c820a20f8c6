/**
 * Builds a weekly report model from stored history and keeps it as a ReportSnapshot, so the report
 * that was sent is the report that re-renders later, whatever happened since.
 */
import type { PrismaClient } from "@parapet/db";
import { assembleReportModel } from "./assemble-report.ts";
import { asReportModel, type TReportModel } from "./model.ts";
import { getReportSettings, loadReportInput } from "./reports.repository.ts";
import { insertSnapshot, snapshotForPeriod, snapshotForPeriodOrThrow } from "./report-store.repository.ts";
import { sampleCoverage } from "./sample-coverage.ts";
import { addLocalDays, localDateString, startOfLocalHour } from "./zoned-time.ts";
import { weeklyRollouts } from "../rollouts/weekly-rollouts.ts";
import { weeklyPosture } from "../posture/weekly-posture.ts";
import { weeklyDenials } from "../denials/weekly-denials.ts";

/** The 7 local days ending at `end` (a DST week is 167 or 169 hours long). */
function reportPeriodEndingAt(end: Date, timezone: string): { start: Date; end: Date } {
  return { start: addLocalDays(end, -7, timezone), end };
}

export interface TBuildOptions {
  /** End of the period; defaults to the start of the current local hour. */
  end?: Date;
  now?: Date;
  /** Take today's coverage sample first, so the report shows the matrix as it is now. */
  sampleFirst?: boolean;
}

export async function buildReportModel(prisma: PrismaClient, workspaceId: string, opts: TBuildOptions = {}): Promise<TReportModel> {
  const now = opts.now ?? new Date();
  const { timezone } = await getReportSettings(prisma, workspaceId);
  const end = opts.end ?? startOfLocalHour(now, timezone);
  if (opts.sampleFirst) await sampleCoverage(prisma, workspaceId, localDateString(new Date(end.getTime() - 1), timezone));
  const period = reportPeriodEndingAt(end, timezone);
  const [input, rollouts, posture, denials] = await Promise.all([
    loadReportInput(prisma, workspaceId, period, timezone, now),
    weeklyRollouts(prisma, workspaceId, period),
    weeklyPosture(prisma, workspaceId),
    weeklyDenials(prisma, workspaceId, period),
  ]);
  return { ...assembleReportModel(input), rollouts, ...(posture ? { posture } : {}), ...(denials ? { denials } : {}) };
}

export interface TSnapshotRef {
  id: string;
  periodStart: Date;
  periodEnd: Date;
  created: boolean;
  model: TReportModel;
}

/**
 * The snapshot for the period ending at `end`: created on first request, returned unchanged after
 * (a retried or duplicated job must not send a different report for the same week).
 */
export async function createReportSnapshot(prisma: PrismaClient, workspaceId: string, opts: TBuildOptions = {}): Promise<TSnapshotRef> {
  const now = opts.now ?? new Date();
  const { timezone } = await getReportSettings(prisma, workspaceId);
  const end = opts.end ?? startOfLocalHour(now, timezone);
  const period = reportPeriodEndingAt(end, timezone);
  const existing = await snapshotForPeriod(prisma, workspaceId, period.start);
  if (existing)
    return {
      id: existing.id,
      periodStart: existing.periodStart,
      periodEnd: existing.periodEnd,
      created: false,
      model: asReportModel(existing.model),
    };
  const model = await buildReportModel(prisma, workspaceId, { ...opts, end, now });
  const row = await insertSnapshot(prisma, { workspaceId, periodStart: period.start, periodEnd: period.end, model });
  if (row) return { id: row.id, periodStart: row.periodStart, periodEnd: row.periodEnd, created: true, model };
  // A concurrent builder won the race: its snapshot is the one for this week.
  const won = await snapshotForPeriodOrThrow(prisma, workspaceId, period.start);
  return { id: won.id, periodStart: won.periodStart, periodEnd: won.periodEnd, created: false, model: asReportModel(won.model) };
}
