import { ZCompileInput } from "@parapet/core/guardrails/guardrails.schema";
import { previewCompile } from "@parapet/core/guardrails/preview-compile";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["guardrail", "read"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZCompileInput, readJson);
  return previewCompile(deps(), caller, params.id, input);
});
