import { ZSetLabelsInput } from "@parapet/core/nodes/nodes.schema";
import { setNodeLabels } from "@parapet/core/nodes/set-node-labels";
import { readJson, route } from "@/server/api";
import { accepted, deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
/** 200 with the node; 202 { approval } when the relabel would take environments out of a guardrail's scope. */
export const PATCH = route<{ id: string }>(["node", "write"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZSetLabelsInput, readJson);
  const out = await setNodeLabels(deps(), caller, params.id, input);
  return out.kind === "approval" ? accepted({ approval: out.approval }) : out.node;
});
