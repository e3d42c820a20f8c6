import { updateSettings } from "@parapet/core/settings/update-settings";
import { getReportSchedule } from "@parapet/core/reports/get-report-schedule";
import { upsertReportSchedules } from "@parapet/core/reports/schedule";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { queues } from "@/server/queues";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** When the weekly report goes out (day and hour in the workspace's time zone) and the next three runs. */
export const GET = route(api("GET /reports/schedule"), ({ caller }) => getReportSchedule(deps(), caller));

/** Changes the schedule and moves the job scheduler at once (the worker's hourly sync would otherwise). */
export const PATCH = route(api("PATCH /reports/schedule"), async ({ caller, body }) => {
  const s = await updateSettings(deps(), caller, body);
  await upsertReportSchedules(queues().reports, caller.workspaceId, s);
  return getReportSchedule(deps(), caller);
});
