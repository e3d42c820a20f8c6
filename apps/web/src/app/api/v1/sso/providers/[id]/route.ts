import { api } from "@parapet/core/openapi/routes";
import { deleteSsoProvider } from "@parapet/core/sso/sso";
import { route } from "@/server/api";
import { ssoDeps } from "@/server/sso";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /sso/providers/{id}"), ({ caller, params }) => deleteSsoProvider(ssoDeps(), caller, params.id));
