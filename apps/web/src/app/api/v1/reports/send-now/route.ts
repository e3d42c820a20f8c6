import { z } from "zod";
import { AppError, can } from "@parapet/core";
import { enqueueWeeklyReport } from "@parapet/core/reports/report-jobs";
import { readJson, route } from "@/server/api";
import { queues } from "@/server/queues";
import { accepted, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";

const ZInput = z.object({ to: z.enum(["me", "subscribers"]).default("me") }).strict();

/**
 * Builds this week's report now and emails it: to the caller only ("me"), or to every active
 * subscriber (needs report:manage). The worker does the work; the answer is 202 with the job id.
 */
export const POST = route(["report", "read"], async ({ req, caller }) => {
  const { to } = await parseBody(req, ZInput, readJson);
  if (to === "subscribers" && !can(caller.role, "report", "manage")) throw new AppError("forbidden", `to: your role (${caller.role}) can send the report only to yourself`);
  const jobId = await enqueueWeeklyReport(queues().reports, {
    workspaceId: caller.workspaceId,
    trigger: "manual",
    requestedBy: caller.label.slice(0, 200),
    ...(to === "me" ? { to: [caller.email] } : {}),
  });
  return accepted({ queued: true, jobId, to: to === "me" ? [caller.email] : "subscribers" });
});
