import { api } from "@parapet/core/openapi/routes";
import { createToken } from "@parapet/core/tokens/create-token";
import { listTokens } from "@parapet/core/tokens/list-tokens";
import { reply, route } from "@/server/api";
import { auth } from "@/server/auth";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /tokens"), ({ caller }) => listTokens(deps(), caller));

/** 201 with the token: the only time its secret is shown, so never cached on the way back. */
export const POST = route(api("POST /tokens"), async ({ caller, body }) =>
  reply(await createToken({ ...deps(), auth: auth() }, caller, body), { headers: { "cache-control": "no-store" } }),
);
