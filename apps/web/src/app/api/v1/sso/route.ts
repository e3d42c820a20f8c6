import { api } from "@parapet/core/openapi/routes";
import { getSso, updateSsoPolicy } from "@parapet/core/sso/sso";
import { route } from "@/server/api";
import { ssoDeps } from "@/server/sso";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /sso"), ({ caller }) => getSso(ssoDeps(), caller));
export const PATCH = route(api("PATCH /sso"), ({ caller, body }) => updateSsoPolicy(ssoDeps(), caller, body));
