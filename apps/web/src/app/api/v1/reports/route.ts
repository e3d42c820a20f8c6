import { api } from "@parapet/core/openapi/routes";
import { listReportSnapshots } from "@parapet/core/reports/list-report-snapshots";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** Past weekly reports of the workspace, newest first (a year's worth). */
export const GET = route(api("GET /reports"), async ({ caller }) => ({ items: await listReportSnapshots(deps(), caller) }));
