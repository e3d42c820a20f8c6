import { createGuardrail } from "@parapet/core/guardrails/create-guardrail";
import { listGuardrails } from "@parapet/core/guardrails/list-guardrails";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /guardrails"), ({ caller, query }) => listGuardrails(deps(), caller, query.status));

export const POST = route(api("POST /guardrails"), ({ caller, body }) => createGuardrail(deps(), caller, body));
