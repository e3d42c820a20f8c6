import { describeInvitation } from "@parapet/core/members/accept-invitation";
import { ZInvitationLookupQuery } from "@parapet/core/members/members.schema";
import { publicRoute } from "@/server/api";
import { prisma } from "@/server/clients";
import { invitationLinkConfig } from "@/server/invitations";
import { parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = publicRoute(async ({ req }) => describeInvitation(prisma(), invitationLinkConfig().secret, parseQuery(req, ZInvitationLookupQuery).token));
