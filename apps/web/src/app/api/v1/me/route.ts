import { getMe } from "@parapet/core/members/get-me";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /me"), ({ caller }) => getMe(deps(), caller));
