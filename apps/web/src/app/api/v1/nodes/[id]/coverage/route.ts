import { getNodeCoverage } from "@parapet/core/nodes/get-node-coverage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["node", "read"], async ({ caller, params }) => getNodeCoverage(deps(), caller, params.id));
