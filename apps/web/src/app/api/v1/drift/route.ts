import { listDrift } from "@parapet/core/drift/list-drift";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /drift"), ({ caller, query }) => listDrift(deps(), caller, query));
