import { decideApproval } from "@parapet/core/approvals/decide-approval";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /approvals/{id}/reject"), ({ caller, params, body }) =>
  decideApproval(deps(), caller, params.id, "reject", body.note),
);
