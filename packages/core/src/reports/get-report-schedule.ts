import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { getSettings } from "../settings/get-settings.ts";
import { nextWeeklyRuns } from "./schedule.ts";
import { formatLocalDateTime } from "./zoned-time.ts";

/** When the weekly report goes out (day and hour in the workspace's time zone) and the next three runs. */
export async function getReportSchedule(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, now: number = Date.now()) {
  const s = await getSettings(deps, actor);
  return {
    timezone: s.timezone,
    reportDay: s.reportDay,
    reportHour: s.reportHour,
    nextRuns: nextWeeklyRuns(s, now, 3).map((d) => ({ at: d.toISOString(), local: formatLocalDateTime(d, s.timezone) })),
  };
}
