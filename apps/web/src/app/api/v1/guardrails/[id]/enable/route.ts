import { enableGuardrail } from "@parapet/core/guardrails/enable-guardrail";
import { refuseManaged } from "@parapet/core/code/managed";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /guardrails/{id}/enable"), async ({ caller, params }) => {
  await refuseManaged(deps().prisma, caller.workspaceId, params.id);
  return { guardrail: await enableGuardrail(deps(), caller, params.id) };
});
