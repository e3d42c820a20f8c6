import { deleteSubscription, setSubscriptionActive, ZUpdateSubscriptionInput } from "@parapet/core/reports/subscriptions";
import { readJson, route } from "@/server/api";
import { prisma } from "@/server/clients";
import { subscriptionActor } from "@/server/reports";
import { parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";

export const PATCH = route<{ id: string }>(["report", "subscribe"], async ({ req, caller, params }) => {
  const { active } = await parseBody(req, ZUpdateSubscriptionInput, readJson);
  return setSubscriptionActive(prisma(), subscriptionActor(caller), params.id, active);
});

export const DELETE = route<{ id: string }>(["report", "subscribe"], async ({ caller, params }) => {
  await deleteSubscription(prisma(), subscriptionActor(caller), params.id);
  return new Response(null, { status: 204 });
});
