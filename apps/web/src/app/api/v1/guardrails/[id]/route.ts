import { getGuardrail } from "@parapet/core/guardrails/get-guardrail";
import { ZUpdateGuardrailInput } from "@parapet/core/guardrails/guardrails.schema";
import { requestGuardrailRemoval } from "@parapet/core/guardrails/request-guardrail-removal";
import { updateGuardrail } from "@parapet/core/guardrails/update-guardrail";
import { readJson, route } from "@/server/api";
import { accepted, deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["guardrail", "read"], ({ caller, params }) => getGuardrail(deps(), caller, params.id));

/** 200 { guardrail } when the edit applied; 202 { approval } when it weakens protection. */
export const PATCH = route<{ id: string }>(["guardrail", "write"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZUpdateGuardrailInput, readJson);
  const out = await updateGuardrail(deps(), caller, params.id, input);
  return out.kind === "approval" ? accepted({ approval: out.approval }) : { guardrail: out.guardrail };
});

export const DELETE = route<{ id: string }>(["guardrail", "write"], async ({ caller, params }) => accepted({ approval: await requestGuardrailRemoval(deps(), caller, params.id, "delete") }));
