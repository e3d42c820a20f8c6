import { getApproval } from "@parapet/core/approvals/get-approval";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /approvals/{id}"), ({ caller, params }) => getApproval(deps(), caller, params.id));
