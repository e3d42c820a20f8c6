import type { UseCaseDeps } from "../common/actor.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { cancelQueuedDeliveries, setSubscriptionActiveRow, transaction } from "./deliveries.repository.ts";
import type { TUpdateSubscriptionInput } from "./reports.schema.ts";
import { ownedOrManaged, subscriptionAuditBy, subscriptionView, type TMemberActor, type TSubscriptionView } from "./subscriptions.ts";

/** Pauses or resumes a subscription; pausing cancels the emails still queued for it. */
export async function setSubscriptionActive(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: TMemberActor,
  input: TUpdateSubscriptionInput,
): Promise<TSubscriptionView> {
  const { id, active } = input;
  await ownedOrManaged(deps.prisma, actor, id);
  const row = await transaction(deps.prisma, async (tx) => {
    const s = await setSubscriptionActiveRow(tx, id, active);
    if (!active) await cancelQueuedDeliveries(tx, id, "unsubscribed before delivery");
    await appendAudit(tx, {
      ...subscriptionAuditBy(actor),
      action: active ? "report.subscribe" : "report.unsubscribe",
      targetType: "report_subscription",
      targetId: id,
      data: { email: s.email },
    });
    return s;
  });
  return subscriptionView(row);
}
