import { api } from "@parapet/core/openapi/routes";
import { revokeMyToken } from "@parapet/core/tokens/revoke-token";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /me/tokens/{id}"), ({ caller, params }) => revokeMyToken(deps(), caller, params.id));
