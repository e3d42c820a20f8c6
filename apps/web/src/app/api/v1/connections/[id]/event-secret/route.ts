import { issueEventSecret } from "@parapet/core/connections/issue-event-secret";
import { route } from "@/server/api";
import { deps } from "@/server/v1";
import { env } from "@/env";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["connection", "write"], async ({ caller, params }) => {
  const body = await issueEventSecret(deps(), caller, params.id, env().PARAPET_BASE_URL);
  // Shown once: never cached anywhere on the way back.
  return Response.json(body, { headers: { "cache-control": "no-store" } });
});
