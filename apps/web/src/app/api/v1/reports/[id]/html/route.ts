import { api } from "@parapet/core/openapi/routes";
import { renderReportHtml } from "@parapet/core/reports/render-html";
import { route } from "@/server/api";
import { htmlResponse, reportLinks, snapshotOr404 } from "@/server/reports";

export const dynamic = "force-dynamic";

/** The report as the email's HTML (without a recipient's unsubscribe link). */
export const GET = route(api("GET /reports/{id}/html"), async ({ caller, params }) => {
  const s = await snapshotOr404(caller.workspaceId, params.id);
  return htmlResponse(renderReportHtml(s.model, reportLinks(s.id)));
});
