import { issueEventSecret } from "@parapet/core/connections/issue-event-secret";
import { api } from "@parapet/core/openapi/routes";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";
import { env } from "@/env";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/event-secret"), async ({ caller, params }) => {
  const body = await issueEventSecret(deps(), caller, params.id, env().PARAPET_BASE_URL);
  // Shown once: never cached anywhere on the way back.
  return reply(body, { headers: { "cache-control": "no-store" } });
});
