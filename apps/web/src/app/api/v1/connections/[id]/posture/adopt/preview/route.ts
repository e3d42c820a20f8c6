import { api } from "@parapet/core/openapi/routes";
import { previewAdoption } from "@parapet/core/posture/adopt-foreign-policy";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/posture/adopt/preview"), ({ caller, params, body }) =>
  previewAdoption(deps(), caller, params.id, body),
);
