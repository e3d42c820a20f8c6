import { previewScope } from "@parapet/core/nodes/preview-scope";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /scope/preview"), ({ caller, body }) => previewScope(deps(), caller, body.scope, body.controlId));
