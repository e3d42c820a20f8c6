import { coverageOverview } from "@parapet/core/coverage/coverage-overview";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /coverage/overview"), ({ caller }) => coverageOverview(deps(), caller));
