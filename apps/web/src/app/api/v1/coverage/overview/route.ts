import { coverageOverview } from "@parapet/core/coverage/coverage-overview";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["guardrail", "read"], ({ caller }) => coverageOverview(deps(), caller));
