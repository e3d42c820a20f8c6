import { revokeInvitation } from "@parapet/core/members/revoke-invitation";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route<{ id: string }>(["settings", "write"], ({ caller, params }) => revokeInvitation(deps(), caller, params.id));
