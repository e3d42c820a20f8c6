import { api } from "@parapet/core/openapi/routes";
import { getReportSnapshot } from "@parapet/core/reports/get-report-snapshot";
import { renderReportCsv, renderReportCsvAll } from "@parapet/core/reports/render-csv";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** CSV of one of the report's tables (`?table=guardrails`), or all of them in one file. */
export const GET = route(api("GET /reports/{id}/csv"), async ({ caller, params, query: { table } }) => {
  const s = await getReportSnapshot(deps(), caller, params);
  const body = table === "all" ? renderReportCsvAll(s.model) : renderReportCsv(s.model, table);
  const day = s.periodEnd.toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="parapet-report-${day}-${table}.csv"`,
      "cache-control": "private, no-store",
    },
  });
});
