import { api } from "@parapet/core/openapi/routes";
import { listSubscriptions } from "@parapet/core/reports/list-subscriptions";
import { subscribe } from "@parapet/core/reports/subscribe";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** Everyone sees their own subscription; managers see the whole list. */
export const GET = route(api("GET /reports/subscriptions"), ({ caller }) => listSubscriptions(deps(), caller));

/** Subscribe yourself (no body), or any address with report:manage. */
export const POST = route(api("POST /reports/subscriptions"), ({ caller, body }) => subscribe(deps(), caller, body));
