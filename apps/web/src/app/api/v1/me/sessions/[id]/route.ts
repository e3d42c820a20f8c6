import { api } from "@parapet/core/openapi/routes";
import { endMySession } from "@parapet/core/sessions/sessions";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /me/sessions/{id}"), ({ caller, params }) => endMySession(deps(), caller, params.id));
