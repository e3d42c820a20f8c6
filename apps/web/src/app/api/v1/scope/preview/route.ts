import { ZScopePreviewInput } from "@parapet/core/guardrails/guardrails.schema";
import { previewScope } from "@parapet/core/nodes/preview-scope";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(["guardrail", "read"], async ({ req, caller }) => {
  const { scope } = await parseBody(req, ZScopePreviewInput, readJson);
  return previewScope(deps(), caller, scope);
});
