import { api } from "@parapet/core/openapi/routes";
import { getMyMfa } from "@parapet/core/sessions/sessions";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /me/mfa"), ({ caller }) => getMyMfa(deps(), caller));
