import { diffGuardrailVersions } from "@parapet/core/guardrails/diff-guardrail-versions";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /guardrails/{id}/diff"), ({ caller, params, query }) =>
  diffGuardrailVersions(deps(), caller, params.id, query.from, query.to),
);
