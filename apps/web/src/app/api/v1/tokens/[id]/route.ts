import { api } from "@parapet/core/openapi/routes";
import { revokeToken } from "@parapet/core/tokens/revoke-token";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /tokens/{id}"), ({ caller, params }) => revokeToken(deps(), caller, params.id));
