import { api } from "@parapet/core/openapi/routes";
import { deleteSubscription } from "@parapet/core/reports/delete-subscription";
import { setSubscriptionActive } from "@parapet/core/reports/set-subscription-active";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

export const PATCH = route(api("PATCH /reports/subscriptions/{id}"), ({ caller, params, body }) =>
  setSubscriptionActive(deps(), caller, { id: params.id, active: body.active }),
);

/** 204: nothing to show of a subscription that is gone. */
export const DELETE = route(api("DELETE /reports/subscriptions/{id}"), async ({ caller, params }) => {
  await deleteSubscription(deps(), caller, params);
});
