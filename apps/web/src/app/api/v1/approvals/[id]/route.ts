import { getApproval } from "@parapet/core/approvals/get-approval";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["approval", "read"], ({ caller, params }) => getApproval(deps(), caller, params.id));
