import { requestGuardrailRemoval } from "@parapet/core/guardrails/request-guardrail-removal";
import { route } from "@/server/api";
import { accepted, deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["guardrail", "write"], async ({ caller, params }) => accepted({ approval: await requestGuardrailRemoval(deps(), caller, params.id, "disable") }));
