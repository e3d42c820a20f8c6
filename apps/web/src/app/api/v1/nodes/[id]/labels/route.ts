import { setNodeLabels } from "@parapet/core/nodes/set-node-labels";
import { api } from "@parapet/core/openapi/routes";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
/** 200 with the node; 202 { approval } when the relabel would take environments out of a guardrail's scope. */
export const PATCH = route(api("PATCH /nodes/{id}/labels"), async ({ caller, params, body }) => {
  const out = await setNodeLabels(deps(), caller, params.id, body);
  return out.kind === "approval" ? reply({ approval: out.approval }, { status: 202 }) : out.node;
});
