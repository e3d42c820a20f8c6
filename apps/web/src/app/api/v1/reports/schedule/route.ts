import { getSettings } from "@parapet/core/settings/get-settings";
import { updateSettings } from "@parapet/core/settings/update-settings";
import { nextWeeklyRuns, upsertReportSchedules } from "@parapet/core/reports/schedule";
import { formatLocalDateTime } from "@parapet/core/reports/zoned-time";
import { api } from "@parapet/core/openapi/routes";
import { route, type Caller } from "@/server/api";
import { prisma } from "@/server/clients";
import { queues } from "@/server/queues";

export const dynamic = "force-dynamic";

const actor = (c: Caller) => ({
  workspaceId: c.workspaceId,
  userId: c.userId,
  role: c.role,
  kind: c.kind,
  ...(c.tokenId ? { tokenId: c.tokenId } : {}),
  label: c.label,
});

async function view(caller: Caller) {
  const s = await getSettings({ prisma: prisma() }, actor(caller));
  const next = nextWeeklyRuns(s, Date.now(), 3);
  return {
    timezone: s.timezone,
    reportDay: s.reportDay,
    reportHour: s.reportHour,
    nextRuns: next.map((d) => ({ at: d.toISOString(), local: formatLocalDateTime(d, s.timezone) })),
  };
}

/** When the weekly report goes out (day and hour in the workspace's time zone) and the next three runs. */
export const GET = route(api("GET /reports/schedule"), ({ caller }) => view(caller));

/** Changes the schedule and moves the job scheduler at once (the worker's hourly sync would otherwise). */
export const PATCH = route(api("PATCH /reports/schedule"), async ({ caller, body }) => {
  const s = await updateSettings({ prisma: prisma() }, actor(caller), body);
  await upsertReportSchedules(queues().reports, caller.workspaceId, s);
  return view(caller);
});
