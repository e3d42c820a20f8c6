import { listMembers } from "@parapet/core/members/list-members";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["settings", "read"], ({ caller }) => listMembers(deps(), caller));
