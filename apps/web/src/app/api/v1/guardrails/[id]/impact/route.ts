import { getImpact } from "@parapet/core/impact/get-impact";
import { requestImpact } from "@parapet/core/impact/request-impact";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /guardrails/{id}/impact"), ({ caller, params }) => getImpact(deps(), caller, params.id));
export const POST = route(api("POST /guardrails/{id}/impact"), ({ caller, params, body }) =>
  requestImpact(deps(), caller, params.id, body),
);
