import { listAuditEvents } from "@parapet/core/audit/list-audit-events";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /audit"), ({ caller, query }) => listAuditEvents(deps(), caller, query));
