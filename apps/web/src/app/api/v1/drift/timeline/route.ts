import { driftTimeline } from "@parapet/core/drift/drift-timeline";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /drift/timeline"), ({ caller, query }) => driftTimeline(deps(), caller, query.days));
