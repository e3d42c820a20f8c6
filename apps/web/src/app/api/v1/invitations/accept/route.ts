import { ZAcceptInvitationInput } from "@parapet/core/members/members.schema";
import { publicRoute, readJson } from "@/server/api";
import { acceptInvitation } from "@/server/invitations";
import { parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = publicRoute(async ({ req }) => acceptInvitation(req, await parseBody(req, ZAcceptInvitationInput, readJson)));
