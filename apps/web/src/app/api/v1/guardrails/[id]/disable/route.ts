import { requestGuardrailRemoval } from "@parapet/core/guardrails/request-guardrail-removal";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /guardrails/{id}/disable"), async ({ caller, params }) => ({
  approval: await requestGuardrailRemoval(deps(), caller, params.id, "disable"),
}));
