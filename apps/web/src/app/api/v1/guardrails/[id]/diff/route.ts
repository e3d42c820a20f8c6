import { diffGuardrailVersions } from "@parapet/core/guardrails/diff-guardrail-versions";
import { ZDiffQuery } from "@parapet/core/guardrails/guardrails.schema";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["guardrail", "read"], async ({ req, caller, params }) => {
  const { from, to } = parseQuery(req, ZDiffQuery);
  return diffGuardrailVersions(deps(), caller, params.id, from, to);
});
