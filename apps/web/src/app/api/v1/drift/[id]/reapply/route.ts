import { reapplyDrift } from "@parapet/core/drift/reapply-drift";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /drift/{id}/reapply"), ({ caller, params }) => reapplyDrift(deps(), caller, params.id));
