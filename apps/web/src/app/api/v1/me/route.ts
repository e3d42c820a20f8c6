import { getMe } from "@parapet/core/members/get-me";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(null, ({ caller }) => getMe(deps(), caller));
