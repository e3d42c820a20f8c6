import { refuseManaged } from "@parapet/core/code/managed";
import { api } from "@parapet/core/openapi/routes";
import { getRollout } from "@parapet/core/rollouts/get-rollout";
import { startRollout } from "@parapet/core/rollouts/start-rollout";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /guardrails/{id}/rollout"), ({ caller, params }) => getRollout(deps(), caller, params.id));
export const POST = route(api("POST /guardrails/{id}/rollout"), async ({ caller, params, body }) => {
  await refuseManaged(deps().prisma, caller.workspaceId, params.id);
  return startRollout(deps(), caller, params.id, body);
});
