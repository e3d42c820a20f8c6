import { getDrift } from "@parapet/core/drift/get-drift";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /drift/{id}"), ({ caller, params }) => getDrift(deps(), caller, params.id));
