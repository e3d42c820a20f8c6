import { listMembers } from "@parapet/core/members/list-members";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /members"), ({ caller }) => listMembers(deps(), caller));
