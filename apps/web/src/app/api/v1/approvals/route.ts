import { listApprovals } from "@parapet/core/approvals/list-approvals";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /approvals"), ({ caller, query }) => listApprovals(deps(), caller, query));
