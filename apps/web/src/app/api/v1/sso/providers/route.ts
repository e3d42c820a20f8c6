import { api } from "@parapet/core/openapi/routes";
import { registerOidcProvider } from "@parapet/core/sso/sso";
import { route } from "@/server/api";
import { ssoDeps } from "@/server/sso";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /sso/providers"), ({ caller, body }) => registerOidcProvider(ssoDeps(), caller, body));
