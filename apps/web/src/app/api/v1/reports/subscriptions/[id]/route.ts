import { api } from "@parapet/core/openapi/routes";
import { deleteSubscription, setSubscriptionActive } from "@parapet/core/reports/subscriptions";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";
import { subscriptionActor } from "@/server/reports";

export const dynamic = "force-dynamic";

export const PATCH = route(api("PATCH /reports/subscriptions/{id}"), ({ caller, params, body }) =>
  setSubscriptionActive(prisma(), subscriptionActor(caller), params.id, body.active),
);

/** 204: nothing to show of a subscription that is gone. */
export const DELETE = route(api("DELETE /reports/subscriptions/{id}"), async ({ caller, params }) => {
  await deleteSubscription(prisma(), subscriptionActor(caller), params.id);
});
