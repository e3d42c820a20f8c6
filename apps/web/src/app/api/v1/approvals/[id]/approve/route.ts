import { decideApproval } from "@parapet/core/approvals/decide-approval";
import { ZNoteInput } from "@parapet/core/openapi/routes";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["approval", "decide"], async ({ req, caller, params }) => {
  const { note } = await parseBody(req, ZNoteInput, readJson);
  return decideApproval(deps(), caller, params.id, "approve", note);
});
