import { api } from "@parapet/core/openapi/routes";
import { getReportSnapshot } from "@parapet/core/reports/get-report-snapshot";
import { renderReportHtml } from "@parapet/core/reports/render-html";
import { route } from "@/server/api";
import { htmlResponse, reportLinks } from "@/server/reports";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** The report as the email's HTML (without a recipient's unsubscribe link). */
export const GET = route(api("GET /reports/{id}/html"), async ({ caller, params }) => {
  const s = await getReportSnapshot(deps(), caller, params);
  return htmlResponse(renderReportHtml(s.model, reportLinks(s.id)));
});
