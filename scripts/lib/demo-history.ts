/**
 * History for the demo's story (demo-story.ts): when the story reaches a point in its past, the real
 * daily sampler records the workspace's coverage for each day that point stands for, and the real
 * report builder keeps the weekly report of every week the story completed. Only the day labels are in
 * the past; every count is read from what the engine produced at that moment.
 */
import { createReportSnapshot, getReportSettings, sampleCoverage } from "@parapet/core/reports/index";
import { localDateString, zonedTime, localParts } from "@parapet/core/reports/zoned-time";
import type { PrismaClient } from "@parapet/db";

const DAY_MS = 24 * 3600_000;

/** Local midnight `daysAgo` days before today, in the workspace's report timezone. */
function midnight(daysAgo: number, timezone: string, now: Date): Date {
  const p = localParts(new Date(now.getTime() - daysAgo * DAY_MS), timezone);
  return zonedTime(p.year, p.month, p.day, 0, 0, timezone);
}

/**
 * Returns the story's `onDay`: the workspace as it is now stands for the days from `fromDaysAgo` down to
 * `toDaysAgo`; a week closes whenever the story moves past a multiple of seven days ago.
 */
export function demoHistory(prisma: PrismaClient, workspaceId: string, log: (l: string) => void, now = new Date()) {
  return async (fromDaysAgo: number, toDaysAgo: number): Promise<void> => {
    const { timezone } = await getReportSettings(prisma, workspaceId);
    for (let d = fromDaysAgo; d >= toDaysAgo; d--) {
      await sampleCoverage(prisma, workspaceId, localDateString(new Date(midnight(d, timezone, now).getTime() + 12 * 3600_000), timezone));
    }
    // The week ending at the midnight after the last day this point stands for, if it is a week boundary.
    if (toDaysAgo > 0 && toDaysAgo % 7 === 1) {
      const end = midnight(toDaysAgo - 1, timezone, now);
      const snap = await createReportSnapshot(prisma, workspaceId, { end, now: end });
      log(
        `demo story: weekly report for the week ending ${localDateString(new Date(end.getTime() - 1), timezone)} kept (${snap.created ? "new" : "already there"})`,
      );
    }
  };
}
