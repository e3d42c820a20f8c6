import type { UseCaseDeps } from "../common/actor.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { AppError } from "../common/errors.ts";
import { memberWithEmail, transaction, upsertSubscription } from "./deliveries.repository.ts";
import type { TCreateSubscriptionInput } from "./reports.schema.ts";
import {
  canManageSubscriptions,
  isOwnAddress,
  subscriptionAuditBy,
  subscriptionView,
  type TMemberActor,
  type TSubscriptionView,
} from "./subscriptions.ts";

/** Subscribes (or re-subscribes) an address, the actor's own by default; idempotent per workspace × address. */
export async function subscribe(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: TMemberActor,
  input: TCreateSubscriptionInput,
): Promise<TSubscriptionView> {
  const email = (input.email ?? actor.email).toLowerCase();
  if (!isOwnAddress(actor, email) && !canManageSubscriptions(actor))
    throw new AppError("forbidden", `email: your role can subscribe only your own address (${actor.email}), not "${email}"`);
  // Link the subscription to the member who owns the address, so removing the member is traceable.
  const member = await memberWithEmail(deps.prisma, actor.workspaceId, email);
  const row = await transaction(deps.prisma, async (tx) => {
    const s = await upsertSubscription(tx, actor.workspaceId, email, member?.userId ?? null);
    await appendAudit(tx, {
      ...subscriptionAuditBy(actor),
      action: "report.subscribe",
      targetType: "report_subscription",
      targetId: s.id,
      data: { email },
    });
    return s;
  });
  return subscriptionView(row);
}
