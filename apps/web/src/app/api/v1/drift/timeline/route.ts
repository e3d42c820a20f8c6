import { ZDriftTimelineQuery } from "@parapet/core/drift/drift.schema";
import { driftTimeline } from "@parapet/core/drift/drift-timeline";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["drift", "read"], async ({ req, caller }) => driftTimeline(deps(), caller, parseQuery(req, ZDriftTimelineQuery).days));
