import { ZActivityQuery } from "@parapet/core/audit/audit-query.schema";
import { listAuditEvents } from "@parapet/core/audit/list-audit-events";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["audit", "read"], async ({ req, caller }) => {
  const { limit } = parseQuery(req, ZActivityQuery);
  const page = await listAuditEvents(deps(), caller, { limit });
  return { items: page.items };
});
