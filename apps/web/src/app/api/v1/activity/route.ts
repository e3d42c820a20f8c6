import { listAuditEvents } from "@parapet/core/audit/list-audit-events";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /activity"), async ({ caller, query }) => {
  const page = await listAuditEvents(deps(), caller, { limit: query.limit });
  return { items: page.items };
});
