import { z } from "zod";
import { REPORT_CSV_TABLES, renderReportCsv, renderReportCsvAll } from "@parapet/core/reports/render-csv";
import { route } from "@/server/api";
import { snapshotOr404 } from "@/server/reports";
import { parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";

const ZQuery = z.object({ table: z.enum([...REPORT_CSV_TABLES, "all"]).default("all") });

/** CSV of one of the report's tables (`?table=guardrails`), or all of them in one file. */
export const GET = route<{ id: string }>(["report", "read"], async ({ req, caller, params }) => {
  const { table } = parseQuery(req, ZQuery);
  const s = await snapshotOr404(caller.workspaceId, params.id);
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
