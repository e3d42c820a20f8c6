import { ZSetLabelsInput } from "@parapet/core/nodes/nodes.schema";
import { setNodeLabels } from "@parapet/core/nodes/set-node-labels";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const PATCH = route<{ id: string }>(["node", "write"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZSetLabelsInput, readJson);
  return setNodeLabels(deps(), caller, params.id, input);
});
