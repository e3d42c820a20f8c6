import { api } from "@parapet/core/openapi/routes";
import { listReportSnapshots } from "@parapet/core/reports/build-report";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";

export const dynamic = "force-dynamic";

/** Past weekly reports of the workspace, newest first (a year's worth). */
export const GET = route(api("GET /reports"), async ({ caller }) => ({ items: await listReportSnapshots(prisma(), caller.workspaceId) }));
