import { getNodeCoverage } from "@parapet/core/nodes/get-node-coverage";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /nodes/{id}/coverage"), ({ caller, params }) => getNodeCoverage(deps(), caller, params.id));
