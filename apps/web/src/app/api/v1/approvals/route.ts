import { listApprovals } from "@parapet/core/approvals/list-approvals";
import { ZApprovalsQuery } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["approval", "read"], async ({ req, caller }) => listApprovals(deps(), caller, parseQuery(req, ZApprovalsQuery)));
