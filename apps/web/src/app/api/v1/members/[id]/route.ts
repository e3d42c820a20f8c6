import { changeMemberRole } from "@parapet/core/members/change-member-role";
import { ZChangeRoleInput } from "@parapet/core/members/members.schema";
import { removeMember } from "@parapet/core/members/remove-member";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const PATCH = route<{ id: string }>(["settings", "write"], async ({ req, caller, params }) => {
  const { role } = await parseBody(req, ZChangeRoleInput, readJson);
  return changeMemberRole(deps(), caller, params.id, role);
});

export const DELETE = route<{ id: string }>(["settings", "write"], ({ caller, params }) => removeMember(deps(), caller, params.id));
