import { api } from "@parapet/core/openapi/routes";
import { watchForeignPolicy } from "@parapet/core/posture/posture.service";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/posture/watch"), ({ caller, params, body }) =>
  watchForeignPolicy(deps(), caller, params.id, body),
);
