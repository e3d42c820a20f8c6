import { ZAcceptInvitationInput } from "@parapet/core/members/members.schema";
import { publicRoute, readJson } from "@/server/api";
import { acceptInvitationAndSignIn } from "@/server/invitations";
import { parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = publicRoute(async ({ req }) => acceptInvitationAndSignIn(await parseBody(req, ZAcceptInvitationInput, readJson)));
