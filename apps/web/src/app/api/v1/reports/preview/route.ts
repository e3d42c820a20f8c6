import { api } from "@parapet/core/openapi/routes";
import { previewReport } from "@parapet/core/reports/preview-report";
import { renderReportHtml } from "@parapet/core/reports/render-html";
import { renderReportText } from "@parapet/core/reports/render-text";
import { route } from "@/server/api";
import { htmlResponse } from "@/server/reports";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/**
 * The email that "send now" would send, built from the history up to the current hour. Nothing is
 * stored except today's coverage sample (idempotent), so previewing is safe to repeat.
 */
export const GET = route(api("GET /reports/preview"), async ({ caller, query: { format } }) => {
  const model = await previewReport(deps(), caller);
  if (format === "json") return { model };
  if (format === "text")
    return new Response(renderReportText(model), {
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "private, no-store" },
    });
  return htmlResponse(renderReportHtml(model));
});
