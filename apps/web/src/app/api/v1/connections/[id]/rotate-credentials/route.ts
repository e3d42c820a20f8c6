import { rotateCredentials } from "@parapet/core/connections/rotate-credentials";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/rotate-credentials"), ({ caller, params, body }) =>
  rotateCredentials(deps(), caller, params.id, body.credentials),
);
