import { inviteMember } from "@parapet/core/members/invite-member";
import { ZInviteInput } from "@parapet/core/members/members.schema";
import { readJson, route } from "@/server/api";
import { invitationLinkConfig } from "@/server/invitations";
import { created, deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(["settings", "write"], async ({ req, caller }) =>
  created(await inviteMember(deps(), caller, await parseBody(req, ZInviteInput, readJson), invitationLinkConfig())),
);
