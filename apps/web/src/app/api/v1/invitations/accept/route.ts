import { api } from "@parapet/core/openapi/routes";
import { publicRoute } from "@/server/api";
import { acceptInvitation } from "@/server/invitations";

export const dynamic = "force-dynamic";
export const POST = publicRoute(api("POST /invitations/accept"), ({ req, body }) => acceptInvitation(req, body));
