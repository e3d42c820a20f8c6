import { api } from "@parapet/core/openapi/routes";
import { createScimToken, revokeScimToken } from "@parapet/core/scim/scim-admin";
import { reply, route } from "@/server/api";
import { scimDeps } from "@/server/scim";

export const dynamic = "force-dynamic";

/** 201 with the token: the only time its secret is shown, so never cached on the way back. */
export const POST = route(api("POST /scim/token"), async ({ caller }) =>
  reply(await createScimToken(scimDeps(), caller), { headers: { "cache-control": "no-store" } }),
);
export const DELETE = route(api("DELETE /scim/token"), ({ caller }) => revokeScimToken(scimDeps(), caller));
