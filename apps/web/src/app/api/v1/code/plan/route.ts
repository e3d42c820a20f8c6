import { planDocument } from "@parapet/core/code/plan";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /code/plan"), ({ caller, body }) =>
  planDocument(deps(), caller, body.document, { compiled: body.compiled, impact: body.impact ? body.impactLimits : false }),
);
