import { api } from "@parapet/core/openapi/routes";
import { listMyTokens } from "@parapet/core/tokens/list-tokens";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /me/tokens"), ({ caller }) => listMyTokens(deps(), caller));
