import { api } from "@parapet/core/openapi/routes";
import { registerSamlProvider } from "@parapet/core/sso/sso";
import { route } from "@/server/api";
import { ssoDeps } from "@/server/sso";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /sso/providers/saml"), ({ caller, body }) => registerSamlProvider(ssoDeps(), caller, body));
