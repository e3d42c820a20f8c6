import { can } from "@parapet/core";
import { listSubscriptions, subscribe, ZCreateSubscriptionInput } from "@parapet/core/reports/subscriptions";
import { readJson, route } from "@/server/api";
import { prisma } from "@/server/clients";
import { subscriptionActor } from "@/server/reports";
import { created, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";

/** Everyone sees their own subscription; managers see the whole list. */
export const GET = route(["report", "read"], async ({ caller }) => {
  const all = await listSubscriptions(prisma(), caller.workspaceId);
  const items = can(caller.role, "report", "manage") ? all : all.filter((s) => s.email.toLowerCase() === caller.email.toLowerCase());
  return { items, me: caller.email };
});

/** Subscribe yourself (no body), or any address with report:manage. */
export const POST = route(["report", "subscribe"], async ({ req, caller }) => created(await subscribe(prisma(), subscriptionActor(caller), await parseBody(req, ZCreateSubscriptionInput, readJson))));
