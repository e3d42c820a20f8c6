import { listNodes } from "@parapet/core/nodes/list-nodes";
import { ZListNodesQuery } from "@parapet/core/nodes/nodes.schema";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["node", "read"], async ({ req, caller, params }) => listNodes(deps(), caller, params.id, parseQuery(req, ZListNodesQuery)));
