import { changeMemberRole } from "@parapet/core/members/change-member-role";
import { removeMember } from "@parapet/core/members/remove-member";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const PATCH = route(api("PATCH /members/{id}"), ({ caller, params, body }) =>
  changeMemberRole(deps(), caller, params.id, body.role),
);

export const DELETE = route(api("DELETE /members/{id}"), ({ caller, params }) => removeMember(deps(), caller, params.id));
