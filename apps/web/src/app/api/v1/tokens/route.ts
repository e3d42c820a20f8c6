import { createToken } from "@parapet/core/tokens/create-token";
import { listTokens } from "@parapet/core/tokens/list-tokens";
import { ZCreateTokenInput } from "@parapet/core/tokens/tokens.schema";
import { readJson, route } from "@/server/api";
import { auth } from "@/server/auth";
import { created, deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["token", "manage"], ({ caller }) => listTokens(deps(), caller));

export const POST = route(["token", "manage"], async ({ req, caller }) => {
  const input = await parseBody(req, ZCreateTokenInput, readJson);
  const res = created(await createToken({ ...deps(), auth: auth() }, caller, input));
  res.headers.set("cache-control", "no-store");
  return res;
});
