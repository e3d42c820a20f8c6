import { listNodes } from "@parapet/core/nodes/list-nodes";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections/{id}/nodes"), ({ caller, params, query }) => listNodes(deps(), caller, params.id, query));
