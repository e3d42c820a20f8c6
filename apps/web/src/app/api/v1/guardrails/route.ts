import { createGuardrail } from "@parapet/core/guardrails/create-guardrail";
import { ZCreateGuardrailInput, ZListGuardrailsQuery } from "@parapet/core/guardrails/guardrails.schema";
import { listGuardrails } from "@parapet/core/guardrails/list-guardrails";
import { readJson, route } from "@/server/api";
import { created, deps, parseBody, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["guardrail", "read"], async ({ req, caller }) => listGuardrails(deps(), caller, parseQuery(req, ZListGuardrailsQuery).status));

export const POST = route(["guardrail", "write"], async ({ req, caller }) => {
  const input = await parseBody(req, ZCreateGuardrailInput, readJson);
  return created(await createGuardrail(deps(), caller, input));
});
