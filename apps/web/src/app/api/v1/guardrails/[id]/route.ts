import { getGuardrail } from "@parapet/core/guardrails/get-guardrail";
import { requestGuardrailRemoval } from "@parapet/core/guardrails/request-guardrail-removal";
import { updateGuardrail } from "@parapet/core/guardrails/update-guardrail";
import { refuseManaged } from "@parapet/core/code/managed";
import { api } from "@parapet/core/openapi/routes";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /guardrails/{id}"), ({ caller, params }) => getGuardrail(deps(), caller, params.id));

/** 200 { guardrail } when the edit applied; 202 { approval } when it weakens protection. */
export const PATCH = route(api("PATCH /guardrails/{id}"), async ({ caller, params, body }) => {
  await refuseManaged(deps().prisma, caller.workspaceId, params.id);
  const out = await updateGuardrail(deps(), caller, params.id, body);
  return out.kind === "approval" ? reply({ approval: out.approval }, { status: 202 }) : { guardrail: out.guardrail };
});

export const DELETE = route(api("DELETE /guardrails/{id}"), async ({ caller, params }) => {
  await refuseManaged(deps().prisma, caller.workspaceId, params.id);
  return { approval: await requestGuardrailRemoval(deps(), caller, params.id, "delete") };
});
