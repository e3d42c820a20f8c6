import { describeInvitation } from "@parapet/core/members/accept-invitation";
import { api } from "@parapet/core/openapi/routes";
import { publicRoute } from "@/server/api";
import { prisma } from "@/server/clients";
import { invitationLinkConfig } from "@/server/invitations";

export const dynamic = "force-dynamic";
export const GET = publicRoute(api("GET /invitations/lookup"), ({ query }) =>
  describeInvitation(prisma(), invitationLinkConfig().secret, query.token),
);
