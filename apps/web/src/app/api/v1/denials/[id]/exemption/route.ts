import { api } from "@parapet/core/openapi/routes";
import { requestDenialExemption } from "@parapet/core/denials/request-denial-exemption";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /denials/{id}/exemption"), ({ caller, params, body }) =>
  requestDenialExemption(deps(), caller, params.id, body),
);
