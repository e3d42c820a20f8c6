import type { UseCaseDeps } from "../common/actor.ts";
import { listSubscriptionRows } from "./deliveries.repository.ts";
import { canManageSubscriptions, isOwnAddress, subscriptionView, type TMemberActor } from "./subscriptions.ts";

/** Everyone sees their own subscription; managers see the whole list. `me` is the actor's address. */
export async function listSubscriptions(deps: Pick<UseCaseDeps, "prisma">, actor: TMemberActor) {
  const all = (await listSubscriptionRows(deps.prisma, actor.workspaceId)).map(subscriptionView);
  const items = canManageSubscriptions(actor) ? all : all.filter((s) => isOwnAddress(actor, s.email));
  return { items, me: actor.email };
}
