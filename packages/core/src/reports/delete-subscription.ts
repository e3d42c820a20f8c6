import type { UseCaseDeps } from "../common/actor.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { cancelQueuedDeliveries, deleteSubscriptionRow, transaction } from "./deliveries.repository.ts";
import type { TReportRef } from "./reports.schema.ts";
import { ownedOrManaged, subscriptionAuditBy, type TMemberActor } from "./subscriptions.ts";

/** Removes a subscription and cancels the emails still queued for it. */
export async function deleteSubscription(deps: Pick<UseCaseDeps, "prisma">, actor: TMemberActor, input: TReportRef): Promise<void> {
  const s = await ownedOrManaged(deps.prisma, actor, input.id);
  await transaction(deps.prisma, async (tx) => {
    await cancelQueuedDeliveries(tx, input.id, "subscription deleted before delivery");
    await deleteSubscriptionRow(tx, input.id);
    await appendAudit(tx, {
      ...subscriptionAuditBy(actor),
      action: "report.subscription_delete",
      targetType: "report_subscription",
      targetId: input.id,
      data: { email: s.email },
    });
  });
}
