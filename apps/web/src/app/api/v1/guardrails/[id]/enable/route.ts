import { enableGuardrail } from "@parapet/core/guardrails/enable-guardrail";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["guardrail", "write"], async ({ caller, params }) => ({ guardrail: await enableGuardrail(deps(), caller, params.id) }));
