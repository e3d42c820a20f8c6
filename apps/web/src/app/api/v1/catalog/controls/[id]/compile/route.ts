import { previewCompile } from "@parapet/core/guardrails/preview-compile";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /catalog/controls/{id}/compile"), ({ caller, params, body }) =>
  previewCompile(deps(), caller, params.id, body),
);
