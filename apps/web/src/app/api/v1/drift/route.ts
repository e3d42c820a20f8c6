import { ZListDriftQuery } from "@parapet/core/drift/drift.schema";
import { listDrift } from "@parapet/core/drift/list-drift";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["drift", "read"], async ({ req, caller }) => listDrift(deps(), caller, parseQuery(req, ZListDriftQuery)));
