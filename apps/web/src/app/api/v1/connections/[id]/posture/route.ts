import { api } from "@parapet/core/openapi/routes";
import { getPosture, requestPostureScan } from "@parapet/core/posture/posture.service";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections/{id}/posture"), ({ caller, params }) => getPosture(deps(), caller, params.id));
export const POST = route(api("POST /connections/{id}/posture"), ({ caller, params }) => requestPostureScan(deps(), caller, params.id));
