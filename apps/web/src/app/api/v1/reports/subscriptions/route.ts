import { can } from "@parapet/core";
import { api } from "@parapet/core/openapi/routes";
import { listSubscriptions, subscribe } from "@parapet/core/reports/subscriptions";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";
import { subscriptionActor } from "@/server/reports";

export const dynamic = "force-dynamic";

/** Everyone sees their own subscription; managers see the whole list. */
export const GET = route(api("GET /reports/subscriptions"), async ({ caller }) => {
  const all = await listSubscriptions(prisma(), caller.workspaceId);
  const items = can(caller.role, "report", "manage") ? all : all.filter((s) => s.email.toLowerCase() === caller.email.toLowerCase());
  return { items, me: caller.email };
});

/** Subscribe yourself (no body), or any address with report:manage. */
export const POST = route(api("POST /reports/subscriptions"), ({ caller, body }) => subscribe(prisma(), subscriptionActor(caller), body));
