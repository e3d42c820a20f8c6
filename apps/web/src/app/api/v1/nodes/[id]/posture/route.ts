import { api } from "@parapet/core/openapi/routes";
import { getNodePosture } from "@parapet/core/posture/posture.service";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /nodes/{id}/posture"), ({ caller, params }) => getNodePosture(deps(), caller, params.id));
