import { ZAuditQuery } from "@parapet/core/audit/audit-query.schema";
import { listAuditEvents } from "@parapet/core/audit/list-audit-events";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["audit", "read"], async ({ req, caller }) => listAuditEvents(deps(), caller, parseQuery(req, ZAuditQuery)));
