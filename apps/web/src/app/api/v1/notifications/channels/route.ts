import { api } from "@parapet/core/openapi/routes";
import { createChannel, listChannels } from "@parapet/core/notifications/manage";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /notifications/channels"), ({ caller }) => listChannels(deps(), caller));

/** 201; a generated webhook signing key is in this answer only, so it is never cached on the way back. */
export const POST = route(api("POST /notifications/channels"), async ({ caller, body }) =>
  reply(await createChannel(deps(), caller, body), { headers: { "cache-control": "no-store" } }),
);
