/**
 * Report subscriptions: a member subscribes themself; managers (report:manage) subscribe any address
 * (an auditor outside the workspace). Unsubscribing needs no session: the signed link is enough.
 */
import type { PrismaClient } from "@parapet/db";
import {
  cancelQueuedDeliveries,
  deleteSubscriptionRow,
  findSubscription,
  listSubscriptionRows,
  memberWithEmail,
  setSubscriptionActiveRow,
  subscriptionForUnsubscribePage,
  subscriptionWithWorkspace,
  transaction,
  unsubscribeRow,
  upsertSubscription,
} from "./deliveries.repository.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { AppError, notFound } from "../common/errors.ts";
import { verifyUnsubscribeToken } from "./unsubscribe-token.ts";

export interface TSubscriptionActor {
  workspaceId: string;
  userId: string;
  email: string;
  label: string;
  actorType: "user" | "token";
  /** May subscribe and manage addresses other than their own. */
  canManage: boolean;
}

// The inputs live in reports.schema.ts, which the route table (and so the browser's types) may import.
import type { TCreateSubscriptionInput } from "./reports.schema.ts";
export { type TCreateSubscriptionInput } from "./reports.schema.ts";

const view = (s: { id: string; email: string; userId: string | null; active: boolean; unsubscribedAt: Date | null; createdAt: Date }) => ({
  id: s.id,
  email: s.email,
  userId: s.userId,
  active: s.active,
  unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});
export type TSubscriptionView = ReturnType<typeof view>;

export async function listSubscriptions(prisma: PrismaClient, workspaceId: string): Promise<TSubscriptionView[]> {
  const rows = await listSubscriptionRows(prisma, workspaceId);
  return rows.map(view);
}

/** Subscribes (or re-subscribes) an address; idempotent per workspace × address. */
export async function subscribe(
  prisma: PrismaClient,
  actor: TSubscriptionActor,
  input: TCreateSubscriptionInput,
): Promise<TSubscriptionView> {
  const email = (input.email ?? actor.email).toLowerCase();
  if (email !== actor.email.toLowerCase() && !actor.canManage)
    throw new AppError("forbidden", `email: your role can subscribe only your own address (${actor.email}), not "${email}"`);
  // Link the subscription to the member who owns the address, so removing the member is traceable.
  const member = await memberWithEmail(prisma, actor.workspaceId, email);
  const row = await transaction(prisma, async (tx) => {
    const s = await upsertSubscription(tx, actor.workspaceId, email, member?.userId ?? null);
    await appendAudit(tx, {
      workspaceId: actor.workspaceId,
      actorType: actor.actorType,
      actorId: actor.userId,
      actorLabel: actor.label,
      action: "report.subscribe",
      targetType: "report_subscription",
      targetId: s.id,
      data: { email },
    });
    return s;
  });
  return view(row);
}

async function ownedOrManaged(prisma: PrismaClient, actor: TSubscriptionActor, id: string) {
  const s = await findSubscription(prisma, actor.workspaceId, id);
  if (!s) throw notFound("subscription", id);
  if (!actor.canManage && s.email.toLowerCase() !== actor.email.toLowerCase())
    throw new AppError("forbidden", "your role can change only your own subscription");
  return s;
}

export async function setSubscriptionActive(
  prisma: PrismaClient,
  actor: TSubscriptionActor,
  id: string,
  active: boolean,
): Promise<TSubscriptionView> {
  await ownedOrManaged(prisma, actor, id);
  const row = await transaction(prisma, async (tx) => {
    const s = await setSubscriptionActiveRow(tx, id, active);
    if (!active) await cancelQueuedDeliveries(tx, id, "unsubscribed before delivery");
    await appendAudit(tx, {
      workspaceId: actor.workspaceId,
      actorType: actor.actorType,
      actorId: actor.userId,
      actorLabel: actor.label,
      action: active ? "report.subscribe" : "report.unsubscribe",
      targetType: "report_subscription",
      targetId: id,
      data: { email: s.email },
    });
    return s;
  });
  return view(row);
}

export async function deleteSubscription(prisma: PrismaClient, actor: TSubscriptionActor, id: string): Promise<void> {
  const s = await ownedOrManaged(prisma, actor, id);
  await transaction(prisma, async (tx) => {
    await cancelQueuedDeliveries(tx, id, "subscription deleted before delivery");
    await deleteSubscriptionRow(tx, id);
    await appendAudit(tx, {
      workspaceId: actor.workspaceId,
      actorType: actor.actorType,
      actorId: actor.userId,
      actorLabel: actor.label,
      action: "report.subscription_delete",
      targetType: "report_subscription",
      targetId: id,
      data: { email: s.email },
    });
  });
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
