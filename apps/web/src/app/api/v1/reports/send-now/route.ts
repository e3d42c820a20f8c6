import { AppError, can } from "@parapet/core";
import { enqueueWeeklyReport } from "@parapet/core/reports/report-jobs";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { queues } from "@/server/queues";

export const dynamic = "force-dynamic";

/**
 * Builds this week's report now and emails it: to the caller only ("me"), or to every active
 * subscriber (needs report:manage). The worker does the work; the answer is 202 with the job id.
 */
export const POST = route(api("POST /reports/send-now"), async ({ caller, body: { to } }) => {
  if (to === "subscribers" && !can(caller.role, "report", "manage"))
    throw new AppError("forbidden", `to: your role (${caller.role}) can send the report only to yourself`);
  const jobId = await enqueueWeeklyReport(queues().reports, {
    workspaceId: caller.workspaceId,
    trigger: "manual",
    requestedBy: caller.label.slice(0, 200),
    ...(to === "me" ? { to: [caller.email] } : {}),
  });
  return { queued: true, jobId, to: to === "me" ? [caller.email] : ("subscribers" as const) };
});
