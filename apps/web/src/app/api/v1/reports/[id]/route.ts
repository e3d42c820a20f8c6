import { api } from "@parapet/core/openapi/routes";
import { getReportSnapshot } from "@parapet/core/reports/get-report-snapshot";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** The stored report model (JSON), exactly as it was rendered and sent. */
export const GET = route(api("GET /reports/{id}"), async ({ caller, params }) => {
  const s = await getReportSnapshot(deps(), caller, params);
  return {
    id: s.id,
    periodStart: s.periodStart.toISOString(),
    periodEnd: s.periodEnd.toISOString(),
    createdAt: s.createdAt.toISOString(),
    model: s.model,
  };
});
