import { revokeInvitation } from "@parapet/core/members/revoke-invitation";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /invitations/{id}"), ({ caller, params }) => revokeInvitation(deps(), caller, params.id));
