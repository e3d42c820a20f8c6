/**
 * Report subscriptions: a member subscribes themself; managers (report:manage) subscribe any address
 * (an auditor outside the workspace). Unsubscribing needs no session: the signed link is enough.
 * The signed-in use-cases live one per file (list-subscriptions.ts, subscribe.ts, …); this file holds
 * what they share and the public unsubscribe-link flow.
 */
import type { PrismaClient } from "@parapet/db";
import type { Actor } from "../common/actor.ts";
import {
  cancelQueuedDeliveries,
  findSubscription,
  subscriptionForUnsubscribePage,
  subscriptionWithWorkspace,
  transaction,
  unsubscribeRow,
} from "./deliveries.repository.ts";
import { appendAudit, type AuditInput } from "../audit/audit.repository.ts";
import { AppError, notFound } from "../common/errors.ts";
import { can } from "../identity/roles.ts";
import { verifyUnsubscribeToken } from "./unsubscribe-token.ts";

/** A subscription belongs to an address, so the use-cases need the caller's (a token acts for its owner's). */
export type TMemberActor = Actor & { email: string };

/** May subscribe and manage addresses other than the actor's own. */
export const canManageSubscriptions = (actor: Actor) => can(actor.role, "report", "manage");

export const isOwnAddress = (actor: TMemberActor, email: string) => email.toLowerCase() === actor.email.toLowerCase();

/** The audit envelope the subscription events have always carried (the member's id, also for a token). */
export function subscriptionAuditBy(actor: TMemberActor): Pick<AuditInput, "workspaceId" | "actorType" | "actorId" | "actorLabel"> {
  return { workspaceId: actor.workspaceId, actorType: actor.kind, actorId: actor.userId, actorLabel: actor.label };
}

export const subscriptionView = (s: {
  id: string;
  email: string;
  userId: string | null;
  active: boolean;
  unsubscribedAt: Date | null;
  createdAt: Date;
}) => ({
  id: s.id,
  email: s.email,
  userId: s.userId,
  active: s.active,
  unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});
export type TSubscriptionView = ReturnType<typeof subscriptionView>;

/** The subscription, if the actor may change it: their own address, or any with report:manage. */
export async function ownedOrManaged(prisma: PrismaClient, actor: TMemberActor, id: string) {
  const s = await findSubscription(prisma, actor.workspaceId, id);
  if (!s) throw notFound("subscription", id);
  if (!canManageSubscriptions(actor) && !isOwnAddress(actor, s.email))
    throw new AppError("forbidden", "your role can change only your own subscription");
  return s;
}

/** What the public unsubscribe page shows before the reader confirms. */
export async function describeUnsubscribeToken(prisma: PrismaClient, secret: string, token: string | null | undefined) {
  const id = verifyUnsubscribeToken(secret, token);
  if (!id) return null;
  const s = await subscriptionForUnsubscribePage(prisma, id);
  return s ? { subscriptionId: s.id, email: s.email, active: s.active, workspaceName: s.workspace.name } : null;
}

/**
 * One-click unsubscribe from a signed link. Idempotent (a second click is fine); queued emails to the
 * address are cancelled so nothing more arrives after the click.
 */
export async function unsubscribeWithToken(
  prisma: PrismaClient,
  secret: string,
  token: string | null | undefined,
): Promise<{ email: string; workspaceName: string; alreadyUnsubscribed: boolean }> {
  const id = verifyUnsubscribeToken(secret, token);
  if (!id) throw new AppError("bad_request", "token: this unsubscribe link is not valid (it may have been cut off by your mail client)");
  const s = await subscriptionWithWorkspace(prisma, id);
  if (!s) throw new AppError("not_found", "this subscription no longer exists, so no more reports will be sent to it");
  if (!s.active) return { email: s.email, workspaceName: s.workspace.name, alreadyUnsubscribed: true };
  await transaction(prisma, async (tx) => {
    await unsubscribeRow(tx, id);
    await cancelQueuedDeliveries(tx, id, "unsubscribed before delivery");
    await appendAudit(tx, {
      workspaceId: s.workspaceId,
      actorType: "system",
      actorId: null,
      actorLabel: `unsubscribe link (${s.email})`,
      action: "report.unsubscribe",
      targetType: "report_subscription",
      targetId: id,
      data: { email: s.email, via: "link" },
    });
  });
  return { email: s.email, workspaceName: s.workspace.name, alreadyUnsubscribed: false };
}
